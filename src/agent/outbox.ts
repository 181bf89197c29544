import type { SessionEvent } from "../proto";

export type OutgoingEvent = { sessionId: string; seq: number; at: number; event: SessionEvent };

/**
 * Numbers each session's events and keeps them until the relay acknowledges them, so a dropped
 * link loses nothing: after a reconnect everything unacknowledged is sent again, in order.
 */
export class Outbox {
  private nextSeq = new Map<string, number>();
  private pending: OutgoingEvent[] = [];

  add(sessionId: string, event: SessionEvent, at: number): OutgoingEvent {
    const seq = this.nextSeq.get(sessionId) ?? 0;
    this.nextSeq.set(sessionId, seq + 1);
    const item = { sessionId, seq, at, event };
    this.pending.push(item);
    return item;
  }

  /** Cumulative acknowledgement: everything up to `seq` is stored on the relay. */
  ack(sessionId: string, seq: number): void {
    this.pending = this.pending.filter((e) => e.sessionId !== sessionId || e.seq > seq);
    // After an agent restart the relay may know a higher seq than we do: continue after it.
    if ((this.nextSeq.get(sessionId) ?? 0) <= seq) this.nextSeq.set(sessionId, seq + 1);
  }

  unacked(): readonly OutgoingEvent[] {
    return this.pending;
  }

  get size(): number {
    return this.pending.length;
  }
}
