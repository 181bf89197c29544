import type { SessionEvent } from "../proto";

export type OutgoingEvent = { sessionId: string; seq: number; at: number; event: SessionEvent };

/**
 * Numbers each session's events and keeps them until the relay acknowledges them, so a dropped
 * link loses nothing: after a reconnect everything unacknowledged is sent again, in order.
 */
export type OutboxStore = {
  appendEvent(item: OutgoingEvent): void;
  /** More text for a text event that was not sent yet. */
  appendText(sessionId: string, seq: number, text: string): void;
  /** `lastSeq` is asked only when the log is compacted. */
  appendAck(sessionId: string, seq: number, pending: readonly OutgoingEvent[], lastSeq: () => ReadonlyMap<string, number>): void;
};

export type RestoredOutbox = { pending: OutgoingEvent[]; lastSeq: ReadonlyMap<string, number> };

/** A text event grows to at most this many characters while it waits (well inside a 1 MiB frame). */
export const MAX_MERGED_TEXT = 64 * 1024;
/** Text kept while the relay is unreachable; beyond it, the middle of a turn's output is dropped (and said so). */
export const MAX_PENDING_TEXT = 16 * 1024 * 1024;

export class Outbox {
  private nextSeq = new Map<string, number>();
  private pending: OutgoingEvent[] = [];
  /** Events that went out: the relay may have stored them already, so nothing is merged into them. */
  private sent = new WeakSet<OutgoingEvent>();
  private pendingText = 0;
  private dropped = new Map<string, number>();

  /** `restored`: what the previous run never got acknowledged (from the store), in order, and the numbers it used. */
  constructor(
    private readonly store?: OutboxStore,
    restored: RestoredOutbox = { pending: [], lastSeq: new Map() },
  ) {
    this.pending = [...restored.pending];
    for (const e of this.pending) if (e.event.kind === "text") this.pendingText += e.event.text.length;
    for (const [sessionId, seq] of restored.lastSeq) this.nextSeq.set(sessionId, seq + 1);
    for (const e of restored.pending) this.nextSeq.set(e.sessionId, Math.max(this.nextSeq.get(e.sessionId) ?? 0, e.seq + 1));
  }

  /** The highest number each session has used so far. */
  lastSeq(): Map<string, number> {
    return new Map([...this.nextSeq].map(([sessionId, next]) => [sessionId, next - 1]));
  }

  /**
   * Numbers and keeps one event. While the relay is unreachable, consecutive text deltas of a turn
   * are merged into one event (same seq), so a long offline turn costs kilobytes, not thousands
   * of events; past MAX_PENDING_TEXT the text is counted instead of kept and a marker says how much.
   * Returns null when the event was merged into one not yet sent.
   */
  add(sessionId: string, event: SessionEvent, at: number): OutgoingEvent | null {
    if (event.kind === "text") {
      if (this.pendingText + event.text.length > MAX_PENDING_TEXT) {
        this.dropped.set(event.turnId, (this.dropped.get(event.turnId) ?? 0) + event.text.length);
        return null;
      }
      this.pendingText += event.text.length;
      const last = this.lastOf(sessionId);
      if (last && !this.sent.has(last) && last.event.kind === "text" && last.event.turnId === event.turnId && last.event.text.length + event.text.length <= MAX_MERGED_TEXT) {
        last.event = { ...last.event, text: last.event.text + event.text };
        this.store?.appendText(sessionId, last.seq, event.text);
        return null;
      }
    } else if ("turnId" in event && event.turnId && this.dropped.has(event.turnId)) {
      const turnId = event.turnId;
      const count = this.dropped.get(turnId)!;
      this.dropped.delete(turnId);
      this.push(sessionId, { kind: "text", turnId, text: `\n\n[… ${count} characters of output were left out here: the relay was unreachable for too long …]\n\n` }, at);
    }
    return this.push(sessionId, event, at);
  }

  private push(sessionId: string, event: SessionEvent, at: number): OutgoingEvent {
    const seq = this.nextSeq.get(sessionId) ?? 0;
    this.nextSeq.set(sessionId, seq + 1);
    const item = { sessionId, seq, at, event };
    this.pending.push(item);
    this.store?.appendEvent(item);
    return item;
  }

  /** The event went out on the current link (it may still be lost with it; it stays until acked). */
  markSent(item: OutgoingEvent): void {
    this.sent.add(item);
  }

  private lastOf(sessionId: string): OutgoingEvent | undefined {
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.sessionId === sessionId) return this.pending[i];
    return undefined;
  }

  /** Cumulative acknowledgement: everything up to `seq` is stored on the relay. */
  ack(sessionId: string, seq: number): void {
    const before = this.pending.length;
    this.pending = this.pending.filter((e) => {
      const keep = e.sessionId !== sessionId || e.seq > seq;
      if (!keep && e.event.kind === "text") this.pendingText -= e.event.text.length;
      return keep;
    });
    // After an agent restart the relay may know a higher seq than we do: continue after it.
    if ((this.nextSeq.get(sessionId) ?? 0) <= seq) this.nextSeq.set(sessionId, seq + 1);
    if (this.pending.length !== before) this.store?.appendAck(sessionId, seq, this.pending, () => this.lastSeq());
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
