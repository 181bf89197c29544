import { readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { unifiedDiff } from "./unified-diff";

/** Lines a file-editing tool call adds and removes; nothing for other tools. */
export function lineChange(name: string, input: Record<string, unknown>): { added: number; removed: number } | Record<string, never> {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  switch (name) {
    case "Edit":
      return diffLines(str(input.old_string), str(input.new_string));
    case "MultiEdit": {
      const edits = Array.isArray(input.edits) ? (input.edits as Record<string, unknown>[]) : [];
      return edits.map((e) => diffLines(str(e?.old_string), str(e?.new_string))).reduce((a, b) => ({ added: a.added + b.added, removed: a.removed + b.removed }), { added: 0, removed: 0 });
    }
    case "Write":
      return { added: lines(str(input.content)).length, removed: 0 };
    default:
      return {};
  }
}

const lines = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

/** Lines that differ once the unchanged lines at both ends are set aside (cheap, and right for typical edits). */
function diffLines(before: string, after: string): { added: number; removed: number } {
  const a = lines(before);
  const b = lines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { added: b.length - head - tail, removed: a.length - head - tail };
}

/** The file a writing tool call changes (Write, Edit, MultiEdit, NotebookEdit); undefined for other tools. */
export function changedFile(name: string, input: Record<string, unknown>): string | undefined {
  const path = name === "NotebookEdit" ? input.notebook_path : ["Write", "Edit", "MultiEdit"].includes(name) ? input.file_path : undefined;
  return typeof path === "string" && path !== "" ? path : undefined;
}

/** Files larger than this are named in the diff but not compared. */
const MAX_DIFF_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The files a turn changed, newest last, each once: what its end offers for download, and their
 * content from before the turn first touched them, for the turn's diff. claude prints a tool call
 * before it runs it, so the snapshot taken on that event is the file as it was.
 */
export class ChangedFiles {
  private readonly pending = new Map<string, { path: string; name: string; input: Record<string, unknown>; first: boolean }>();
  private readonly done: string[] = [];
  /** Absolute path → its text before the turn changed it (null: it did not exist; "binary"/"large": not compared). */
  private readonly before = new Map<string, string | null | { skip: string }>();

  constructor(private readonly cwd: string | undefined) {}

  /** A writing tool call started; it counts once it succeeded. */
  started(toolUseId: string, name: string, input: Record<string, unknown>): void {
    const path = changedFile(name, input);
    if (!path) return;
    const absolute = this.absolute(path);
    const first = !this.before.has(absolute);
    if (first) this.before.set(absolute, readForDiff(absolute));
    this.pending.set(toolUseId, { path, name, input, first });
  }

  /** Every change of the turn as one unified diff ("" when nothing differs). */
  diff(): string {
    const parts: string[] = [];
    for (const shown of this.done) {
      const absolute = this.absolute(shown);
      const before = this.before.get(absolute);
      const after = readForDiff(absolute);
      if (before === undefined) continue;
      if ((before !== null && typeof before === "object") || (after !== null && typeof after === "object")) {
        const why = [before, after].find((x): x is { skip: string } => x !== null && typeof x === "object")!.skip;
        parts.push(`--- a/${shown}\n+++ b/${shown}\n# ${why}: not compared\n`);
        continue;
      }
      parts.push(unifiedDiff(shown, before, after));
    }
    return parts.join("");
  }

  /**
   * The agent reads claude's output a moment after claude printed it, and an edit that needs no
   * permission may already be done by then: a snapshot that already shows this call's change is
   * turned back into the file as it was (an edit undone; a write that created the file: none).
   */
  private undoIfLate(absolute: string, call: { name: string; input: Record<string, unknown> }, output: string): void {
    const snap = this.before.get(absolute);
    if (typeof snap !== "string") return;
    const str = (v: unknown) => (typeof v === "string" ? v : "");
    const edits = call.name === "Edit" ? [call.input] : call.name === "MultiEdit" && Array.isArray(call.input.edits) ? (call.input.edits as Record<string, unknown>[]) : [];
    if (edits.length > 0) {
      let text = snap;
      for (const e of [...edits].reverse()) {
        const [oldS, newS] = [str(e.old_string), str(e.new_string)];
        if (!newS || !text.includes(newS) || (oldS && text.includes(oldS) && !newS.includes(oldS))) return; // the snapshot is from before
        text = e.replace_all === true ? text.replaceAll(newS, oldS) : text.replace(newS, oldS);
      }
      this.before.set(absolute, text);
    } else if (call.name === "Write" && snap === str(call.input.content)) {
      this.before.set(absolute, /created/i.test(output) ? null : { skip: "its earlier content was not captured" });
    }
  }

  private absolute(path: string): string {
    return isAbsolute(path) || !this.cwd ? path : resolve(this.cwd, path);
  }

  finished(toolUseId: string, isError: boolean, output = ""): void {
    const call = this.pending.get(toolUseId);
    this.pending.delete(toolUseId);
    if (!call || isError) return;
    const path = call.path;
    if (call.first) this.undoIfLate(this.absolute(path), call, output);
    const shown = this.cwd && isAbsolute(path) && !relative(this.cwd, path).startsWith("..") ? relative(this.cwd, path) : path;
    const seen = this.done.indexOf(shown);
    if (seen >= 0) this.done.splice(seen, 1);
    this.done.push(shown);
  }

  /** The newest `max`, for the end of the turn. */
  list(max: number): string[] {
    return this.done.slice(-max).filter((p) => p.length <= 1024);
  }
}

/** A file's text for a diff: null when it does not exist; binary or very large files are not compared. */
function readForDiff(path: string): string | null | { skip: string } {
  try {
    if (statSync(path).size > MAX_DIFF_FILE_BYTES) return { skip: "larger than 2 MB" };
    const bytes = readFileSync(path);
    return bytes.includes(0) ? { skip: "binary" } : bytes.toString("utf8");
  } catch {
    return null;
  }
}
