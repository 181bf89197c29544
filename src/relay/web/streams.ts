import type { WebEventBody, WebServerMessage } from "../../proto/web";
import { shortId } from "../secrets";
import type { User } from "../store/types";

/** Events kept per person for a browser that reconnects (a few minutes of streaming). */
const KEEP = 5000;

type Stream = { user: User; seq: number; recent: WebServerMessage[] };

/**
 * Each person's events numbered in one sequence per relay process (the epoch), with the newest
 * kept so a browser that lost its socket gets exactly what it missed instead of a new snapshot.
 * A person's stream starts when their first browser connects and goes on while none is.
 */
export class UserStreams {
  readonly epoch = shortId(6);
  private streams = new Map<number, Stream>();

  /** A browser of this person connected: their stream goes on from here (with the row as it is now). */
  join(user: User): void {
    const stream = this.streams.get(user.telegramId);
    if (stream) stream.user = user;
    else this.streams.set(user.telegramId, { user, seq: 0, recent: [] });
  }

  /** Whether this person's events are numbered (a browser of theirs connected since the relay started). */
  has(userId: number): boolean {
    return this.streams.has(userId);
  }

  /** How many people's events are numbered. */
  get size(): number {
    return this.streams.size;
  }

  /** People whose events are numbered. */
  users(): User[] {
    return [...this.streams.values()].map((s) => s.user);
  }

  /** The person was removed or signed out everywhere: forget their stream. */
  drop(userId: number): void {
    this.streams.delete(userId);
  }

  seq(userId: number): number {
    return this.streams.get(userId)?.seq ?? 0;
  }

  /** The next event of this person's stream, remembered for replay. */
  number(userId: number, body: WebEventBody): WebServerMessage {
    const stream = this.streams.get(userId);
    if (!stream) throw new Error(`no stream for ${userId}`);
    const message = { ...body, seq: ++stream.seq } as WebServerMessage;
    stream.recent.push(message);
    if (stream.recent.length > KEEP) stream.recent.splice(0, stream.recent.length - KEEP);
    return message;
  }

  /** Every event after `seq`, when this process numbered them and still holds them all. */
  since(userId: number, epoch: string, seq: number): WebServerMessage[] | undefined {
    if (epoch !== this.epoch) return undefined;
    const stream = this.streams.get(userId);
    if (!stream) return undefined;
    if (!Number.isInteger(seq) || seq < 0 || seq > stream.seq) return undefined;
    if (seq === stream.seq) return [];
    const first = stream.recent[0] as { seq: number } | undefined;
    if (!first || first.seq > seq + 1) return undefined;
    return stream.recent.slice(seq + 1 - first.seq);
  }
}
