import type { Clock } from "../../clock";
import { shortId } from "../secrets";

/**
 * What buttons of a picker do, kept on the relay for a while: a folder's path or a claude session
 * does not fit in Telegram's 64 bytes of callback data, so the button carries a token. A token
 * works only in the chat it was made for; an expired one is a button that is no longer valid.
 */
export class Picks<T> {
  private readonly entries = new Map<string, { chatId: number; value: T; at: number }>();

  constructor(private readonly clock: Clock, private readonly ttlMs = 30 * 60_000, private readonly max = 2000) {}

  put(chatId: number, value: T): string {
    this.prune();
    const token = shortId(6);
    this.entries.set(token, { chatId, value, at: this.clock.now() });
    return token;
  }

  get(chatId: number, token: string): T | undefined {
    const entry = this.entries.get(token);
    if (!entry || entry.chatId !== chatId || this.clock.now() - entry.at > this.ttlMs) return undefined;
    return entry.value;
  }

  /** Drops expired tokens, and the oldest beyond `max` (the map keeps insertion order). */
  private prune(): void {
    const now = this.clock.now();
    for (const [token, entry] of this.entries) {
      if (this.entries.size >= this.max || now - entry.at > this.ttlMs) this.entries.delete(token);
      else break;
    }
  }
}
