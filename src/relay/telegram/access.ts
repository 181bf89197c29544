import type { Clock } from "../../clock";

const REFUSAL_EVERY_MS = 60 * 60_000;

/** Strangers get one short refusal per hour and nothing else: no names, no hints. */
export class Refusals {
  private last = new Map<number, number>();

  constructor(private readonly clock: Clock) {}

  shouldAnswer(userId: number): boolean {
    const now = this.clock.now();
    const previous = this.last.get(userId);
    if (previous !== undefined && now - previous < REFUSAL_EVERY_MS) return false;
    this.last.set(userId, now);
    if (this.last.size > 10_000) this.last.clear();
    return true;
  }
}

export const REFUSAL_TEXT = "Sorry, this is a private bot.";
