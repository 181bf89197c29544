/** Text helpers for approval cards: sanitising untrusted strings and cutting them to a budget. */
import { plain, pre, type FormattedText } from "../../format";

// ANSI/VT sequences: CSI, OSC (ends at BEL, ST or the end of the line), DCS/SOS/PM/APC, two-byte
// escapes, a lone ESC, and the 8-bit CSI.
const ANSI =
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b\n]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b\n]*(?:\u001b\\)?|[ -/]*[0-~])?|\u009b[0-?]*[ -/]*[@-~]/g;
// C0 (except \t and \n), DEL, C1, and the invisible direction marks/overrides that can make shown
// text read differently from what runs ("Trojan Source").
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Safe to show: no escape sequences, no control characters except \n and \t, well-formed UTF-16. */
export function sanitize(value: string): string {
  return value.toWellFormed().replace(ANSI, "").replace(/\r\n?|[\u2028\u2029]/g, "\n").replace(CONTROL, "");
}

/** True when sanitising would change more than line endings. */
export function hasHidden(value: string): boolean {
  return sanitize(value) !== value.toWellFormed().replace(/\r\n?|[\u2028\u2029]/g, "\n");
}

/** At most `max` UTF-16 units, ending in "…" when cut, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "…".slice(0, Math.max(0, max));
  let cut = max - 1;
  const c = text.charCodeAt(cut);
  if (c >= 0xdc00 && c <= 0xdfff) cut--;
  return `${text.slice(0, cut)}…`;
}

/** A sanitised single line of at most `max` units. */
export function clipLine(value: unknown, max: number): string {
  if (typeof value !== "string") return "";
  return clip(sanitize(value).replace(/\s+/g, " ").trim(), max);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Lines of a text; a trailing newline does not start another line, "" has none. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function size(text: string): string {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes < 1024) return plural(bytes, "byte");
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export type Preview = { shown: string; cut: boolean };

/**
 * The head of `text` in at most `budget` units: whole lines (each clipped to `lineMax`), at most
 * `maxLines` of them, then a last line "…" when anything was left out.
 */
export function preview(text: string, budget: number, maxLines = Infinity, lineMax = Infinity): Preview {
  const lines = text.split("\n");
  const count = lines.length - (lines.length > 1 && text.endsWith("\n") ? 1 : 0);
  if (text.length <= budget && count <= maxLines && lines.every((l) => l.length <= lineMax)) {
    return { shown: text, cut: false };
  }
  const room = budget - 2; // for "\n…"
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (out.length >= maxLines) break;
    const l = clip(line, lineMax);
    const cost = l.length + (out.length > 0 ? 1 : 0);
    if (used + cost > room) {
      const left = room - used - (out.length > 0 ? 1 : 0);
      if (left >= 40 || (out.length === 0 && left >= 1)) out.push(clip(l, left));
      break;
    }
    out.push(l);
    used += cost;
  }
  out.push("…");
  return { shown: out.join("\n"), cut: true };
}

/** A `pre` block, or a plain marker when there is nothing visible to put in it. */
export function block(text: string, language?: string, empty = "(empty)"): FormattedText {
  const shown = text.replace(/\n+$/, "");
  return shown.trim() ? pre(shown, language) : plain(empty);
}

/** Lines joined with "\n". */
export function joinLines(lines: FormattedText[]): FormattedText {
  let text = "";
  const entities: FormattedText["entities"] = [];
  lines.forEach((line, i) => {
    if (i > 0) text += "\n";
    for (const e of line.entities) entities.push({ ...e, offset: e.offset + text.length });
    text += line.text;
  });
  return { text, entities };
}

/** Length of `lines` once joined, or 0 for none. */
export function measure(lines: FormattedText[]): number {
  return lines.length === 0 ? 0 : lines.reduce((n, l) => n + l.text.length, 0) + lines.length - 1;
}

/** Last path segment (either separator), "" when there is none. */
export function basename(path: string): string {
  return path.split(/[\\/]+/).filter(Boolean).pop() ?? "";
}

/** A file name Telegram and phones accept: sanitised, no path characters, ≤ 100 units. */
export function filename(name: string, fallback: string): string {
  const safe = clipLine(name, 100).replace(/[\\/:*?"<>|]/g, "_");
  return safe && safe !== "." && safe !== ".." ? safe : fallback;
}

/** A copy of a JSON value with every key and string sanitised (for display only). */
export function sanitizeDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return sanitize(value);
  if (typeof value !== "object" || value === null || depth > 100) return value;
  if (Array.isArray(value)) return value.map((v) => sanitizeDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[sanitize(k)] = sanitizeDeep(v, depth + 1);
  return out;
}

/** JSON with a 2-space indent that never throws. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
