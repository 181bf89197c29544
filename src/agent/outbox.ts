import type { SessionEvent } from "../proto";

export type OutgoingEvent = { sessionId: string; seq: number; at: number; event: SessionEvent };

/**
 * Numbers each session's events and keeps them until the relay acknowledges them, so a dropped
 * link loses nothing: after a reconnect everything unacknowledged is sent again, in order.
 */
export type OutboxStore = {
  appendEvent(item: OutgoingEvent): void;
  appendAck(sessionId: string, seq: number, pending: readonly OutgoingEvent[], lastSeq: ReadonlyMap<string, number>): void;
};

export type RestoredOutbox = { pending: OutgoingEvent[]; lastSeq: ReadonlyMap<string, number> };

export class Outbox {
  private nextSeq = new Map<string, number>();
  private pending: OutgoingEvent[] = [];

  /** `restored`: what the previous run never got acknowledged (from the store), in order, and the numbers it used. */
  constructor(
    private readonly store?: OutboxStore,
    restored: RestoredOutbox = { pending: [], lastSeq: new Map() },
  ) {
    this.pending = [...restored.pending];
    for (const [sessionId, seq] of restored.lastSeq) this.nextSeq.set(sessionId, seq + 1);
    for (const e of restored.pending) this.nextSeq.set(e.sessionId, Math.max(this.nextSeq.get(e.sessionId) ?? 0, e.seq + 1));
  }

  /** The highest number each session has used so far. */
  lastSeq(): Map<string, number> {
    return new Map([...this.nextSeq].map(([sessionId, next]) => [sessionId, next - 1]));
  }

  add(sessionId: string, event: SessionEvent, at: number): OutgoingEvent {
    const seq = this.nextSeq.get(sessionId) ?? 0;
    this.nextSeq.set(sessionId, seq + 1);
    const item = { sessionId, seq, at, event };
    this.pending.push(item);
    this.store?.appendEvent(item);
    return item;
  }

  /** Cumulative acknowledgement: everything up to `seq` is stored on the relay. */
  ack(sessionId: string, seq: number): void {
    const before = this.pending.length;
    this.pending = this.pending.filter((e) => e.sessionId !== sessionId || e.seq > seq);
    // After an agent restart the relay may know a higher seq than we do: continue after it.
    if ((this.nextSeq.get(sessionId) ?? 0) <= seq) this.nextSeq.set(sessionId, seq + 1);
    if (this.pending.length !== before) this.store?.appendAck(sessionId, seq, this.pending, this.lastSeq());
    if (this.pending.length === 0) for (const resolve of this.emptied.splice(0)) resolve();
  }

  private emptied: (() => void)[] = [];

  /** Resolves once everything sent so far is acknowledged. */
  drained(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptied.push(resolve));
  }

  unacked(): readonly OutgoingEvent[] {
    return this.pending;
  }

  get size(): number {
    return this.pending.length;
  }
}
