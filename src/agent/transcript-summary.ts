import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { MAX_EXCERPT_CHARS } from "../proto/limits";

/** What one claude transcript says about its conversation (read from its JSONL file). */
export type TranscriptSummary = {
  /** The folder claude ran in (the first `cwd` an entry records). */
  cwd: string;
  firstPrompt?: string;
  lastPrompt?: string;
  /** The start of claude's last answer text after the last prompt. */
  lastAnswer?: string;
};

/** Files up to this size are read whole; larger ones only at the head (first prompt) and the tail (last exchange). */
const WHOLE_BYTES = 1024 * 1024;
/** The head is read only until the folder and the first prompt are known (usually a few lines). */
const HEAD_BYTES = 4 * 1024 * 1024;
const TAIL_BYTES = 1024 * 1024;

type Entry = Record<string, unknown>;

/**
 * Reads a transcript line by line (they grow large). Corrupt lines and entry types this version
 * does not know are passed over; a file with nothing readable, or no folder, is refused with the
 * reason. Never throws.
 */
export async function summarizeTranscript(path: string, size: number): Promise<TranscriptSummary | { reason: string }> {
  try {
    const state = new Reading();
    if (size <= WHOLE_BYTES) {
      await eachLine(path, 0, size, (line) => state.take(line, "whole"));
    } else {
      await eachLine(path, 0, HEAD_BYTES, (line) => state.take(line, "head"));
      // The tail starts mid-line: its first (partial) line is dropped.
      let first = true;
      await eachLine(path, size - TAIL_BYTES, size, (line) => {
        if (first) return void (first = false);
        return state.take(line, "tail");
      });
    }
    return state.result();
  } catch (err) {
    return { reason: `could not be read (${(err as Error).message})` };
  }
}

class Reading {
  cwd?: string;
  firstPrompt?: string;
  lastPrompt?: string;
  lastAnswer?: string;
  /** The prompt a `last-prompt` entry names (newer claude writes one at the end). */
  namedLastPrompt?: string;
  good = 0;
  bad = 0;

  /** Returns false once the head has told all it can. */
  take(line: string, part: "whole" | "head" | "tail"): boolean | void {
    if (!line.trim()) return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      this.bad++;
      return;
    }
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      this.bad++;
      return;
    }
    this.good++;
    const e = entry as Entry;
    if (this.cwd === undefined && typeof e.cwd === "string" && e.cwd.startsWith("/")) this.cwd = e.cwd;
    if (e.type === "last-prompt" && typeof e.lastPrompt === "string") this.namedLastPrompt = excerpt(e.lastPrompt);
    const prompt = promptOf(e);
    if (prompt !== undefined) {
      this.firstPrompt ??= prompt;
      if (part !== "head") {
        this.lastPrompt = prompt;
        this.lastAnswer = undefined;
      }
    }
    const answer = part === "head" ? undefined : answerOf(e);
    if (answer !== undefined) this.lastAnswer = answer;
    if (part === "head" && this.cwd !== undefined && this.firstPrompt !== undefined) return false;
  }

  result(): TranscriptSummary | { reason: string } {
    if (this.good === 0) return { reason: this.bad > 0 ? `is not a claude transcript (${this.bad} unreadable line${this.bad === 1 ? "" : "s"})` : "is empty" };
    if (this.cwd === undefined) return { reason: "records no working folder (written by a claude version ra does not know?)" };
    const lastPrompt = this.lastPrompt ?? this.namedLastPrompt;
    return {
      cwd: this.cwd,
      ...(this.firstPrompt !== undefined ? { firstPrompt: this.firstPrompt } : {}),
      ...(lastPrompt !== undefined ? { lastPrompt } : {}),
      ...(this.lastAnswer !== undefined ? { lastAnswer: this.lastAnswer } : {}),
    };
  }
}

/** Feeds the lines of bytes [start, end) to `onLine` until it returns false. */
async function eachLine(path: string, start: number, end: number, onLine: (line: string) => boolean | void): Promise<void> {
  if (end <= start) return;
  const stream = createReadStream(path, { start, end: end - 1, encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (onLine(line) === false) break;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Text the person typed: not tool results, not claude's own notes (meta, slash-command echoes, interruptions). */
function promptOf(e: Entry): string | undefined {
  if (e.type !== "user" || e.isMeta === true || e.isSidechain === true) return undefined;
  const text = textOf((e.message as Entry | undefined)?.content);
  if (!text || /^<(?:command-|local-command-|system-reminder|bash-)/.test(text) || text.startsWith("[Request interrupted")) return undefined;
  return excerpt(text);
}

function answerOf(e: Entry): string | undefined {
  if (e.type !== "assistant" || e.isSidechain === true) return undefined;
  const text = textOf((e.message as Entry | undefined)?.content);
  return text ? excerpt(text) : undefined;
}

function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content.trim() || undefined;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((b): b is { text: string } => !!b && typeof b === "object" && (b as Entry).type === "text" && typeof (b as Entry).text === "string").map((b) => b.text);
  return texts.join("\n").trim() || undefined;
}

/** One line, at most MAX_EXCERPT_CHARS. */
export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= MAX_EXCERPT_CHARS) return flat;
  let cut = MAX_EXCERPT_CHARS - 1;
  if (/[\uD800-\uDBFF]/.test(flat[cut - 1]!)) cut--; // never half an emoji
  return `${flat.slice(0, cut)}…`;
}
