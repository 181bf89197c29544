import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatSize, MAX_TEXT_EVENT_CHARS, MAX_TURN_TEXT_CHARS } from "../proto";

export type TurnTextLimits = { maxEventChars: number; maxTurnChars: number };
export const DEFAULT_TURN_TEXT_LIMITS: TurnTextLimits = { maxEventChars: MAX_TEXT_EVENT_CHARS, maxTurnChars: MAX_TURN_TEXT_CHARS };

/** Cuts `text` into pieces of at most `max` UTF-16 units, never between the halves of a surrogate pair. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - at > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}

/**
 * The answer text of one turn on its way to the relay: cut into events the relay accepts, and
 * streamed only up to the per-turn cap. Past the cap the whole answer goes to a file in the
 * agent's data dir instead, and the owner is told where it is and how much was left out.
 */
export class TurnText {
  private streamed = 0;
  private total = 0;
  /** Everything streamed so far (at most maxTurnChars), written out when the cap is reached. */
  private sofar: string[] = [];
  private overflow: { path: string } | { error: string } | undefined;

  constructor(
    private readonly turnId: string,
    /** Where whole answers are saved; created on first use. */
    private readonly dir: string,
    private readonly limits: TurnTextLimits = DEFAULT_TURN_TEXT_LIMITS,
  ) {}

  /** The file the whole answer is in, once the cap was reached. */
  get savedAt(): string | undefined {
    return this.overflow && "path" in this.overflow ? this.overflow.path : undefined;
  }

  /** The pieces of `text` to stream; `overflowed` is set on the call that reached the cap. */
  add(text: string): { pieces: string[]; overflowed?: true } {
    this.total += text.length;
    if (this.overflow) {
      this.save(text);
      return { pieces: [] };
    }
    const room = this.limits.maxTurnChars - this.streamed;
    if (text.length <= room) {
      this.streamed += text.length;
      this.sofar.push(text);
      return { pieces: splitText(text, this.limits.maxEventChars) };
    }
    let cut = room;
    const last = text.charCodeAt(cut - 1);
    if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--;
    const head = text.slice(0, cut);
    this.streamed += head.length;
    this.startFile(this.sofar.join("") + text);
    this.sofar = [];
    return { pieces: splitText(head, this.limits.maxEventChars), overflowed: true };
  }

  /** What the owner reads when the cap was reached (null if it never was). */
  overflowNotice(machine: string): string | null {
    if (!this.overflow) return null;
    const cap = formatSize(this.limits.maxTurnChars);
    if ("error" in this.overflow) return `The answer is longer than ${cap}; only the first ${cap} is shown here, and saving the whole answer on ${machine} failed: ${this.overflow.error}`;
    return `The answer is longer than ${cap}; the rest is not shown here. The whole answer is saved on ${machine} in ${this.overflow.path}`;
  }

  /** The closing notice: how much was left out and where the whole answer is (null if nothing was). */
  finalNotice(machine: string): string | null {
    if (!this.overflow) return null;
    const left = this.total - this.streamed;
    const where = "path" in this.overflow ? `The whole answer (${formatSize(this.total)}) is on ${machine} in ${this.overflow.path}` : `Saving it on ${machine} failed: ${this.overflow.error}`;
    return `${formatSize(left)} of this answer was not sent to Telegram (only its first ${formatSize(this.streamed)}). ${where}`;
  }

  private startFile(content: string): void {
    const path = join(this.dir, `answer-${this.turnId}.md`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(path, content, { mode: 0o600 });
      this.overflow = { path };
    } catch (err) {
      this.overflow = { error: (err as Error).message };
    }
  }

  private save(text: string): void {
    if (!this.overflow || !("path" in this.overflow)) return;
    try {
      appendFileSync(this.overflow.path, text);
    } catch (err) {
      this.overflow = { error: (err as Error).message };
    }
  }
}
