import { isAbsolute, relative } from "node:path";

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

/** The files a turn changed, newest last, each once: what its end offers for download. */
export class ChangedFiles {
  private readonly pending = new Map<string, string>();
  private readonly done: string[] = [];

  constructor(private readonly cwd: string | undefined) {}

  /** A writing tool call started; it counts once it succeeded. */
  started(toolUseId: string, name: string, input: Record<string, unknown>): void {
    const path = changedFile(name, input);
    if (path) this.pending.set(toolUseId, path);
  }

  finished(toolUseId: string, isError: boolean): void {
    const path = this.pending.get(toolUseId);
    this.pending.delete(toolUseId);
    if (!path || isError) return;
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
