// A paired machine as the relay sees it, without claude: it says hello, answers pings, keeps an
// outbox of numbered events until the relay acknowledges them, and after a lost connection dials
// again with the agent's own full-jitter backoff. Thousands fit in one process.
import { backoffDelay } from "../../src/agent/backoff";
import { CloseCode, encode, type AgentFrame, type RelayFrame, type SessionEvent } from "../../src/proto";

const FACTS = { hostname: "bench", os: "linux", arch: "x64", user: "bench", agentVersion: "bench" };
/** The real agent gives up on a silent link after 2.5 heartbeats of 10 s; this one waits as long for its welcome. */
const WELCOME_TIMEOUT_MS = 25_000;
/** As the agent: another connection holds the token, try again in 30–60 s. */
const DUPLICATE_RETRY_MS = 30_000;

export type SimAgentCounters = { dials: number; refusedDuplicate: number; welcomeTimeouts: number; errors: string[] };

export class SimAgent {
  /** Events not yet acknowledged, by seq. */
  readonly outbox = new Map<number, SessionEvent>();
  private nextSeq = 0;
  private ws: WebSocket | undefined;
  private attempt = 0;
  private stopped = false;
  private retryTimer: Timer | undefined;
  private welcomeTimer: Timer | undefined;
  /** performance.now() of the latest welcome, and whether the link is up. */
  welcomedAt = 0;
  online = false;
  /** How many acks arrived for each seq (the relay acks a replayed duplicate again, cumulatively). */
  readonly acks = new Map<number, number>();
  /** Called on every welcome and every ack, so the bench can wait on events rather than poll. */
  onProgress: () => void = () => {};

  constructor(
    private readonly url: string,
    private readonly token: string,
    readonly sessionId: string,
    readonly turnId: string,
    private readonly counters: SimAgentCounters,
  ) {}

  dial(): void {
    if (this.stopped) return;
    this.counters.dials++;
    const ws = new WebSocket(this.url, { headers: { Authorization: `Bearer ${this.token}` } } as unknown as string[]);
    this.ws = ws;
    clearTimeout(this.welcomeTimer);
    this.welcomeTimer = setTimeout(() => {
      this.counters.welcomeTimeouts++;
      ws.close(4000, "no welcome");
    }, WELCOME_TIMEOUT_MS);
    ws.onopen = () => this.send({ type: "hello", facts: FACTS, sessions: [{ sessionId: this.sessionId, busy: false }] });
    ws.onmessage = (e) => this.onFrame(JSON.parse(String(e.data)) as RelayFrame);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      clearTimeout(this.welcomeTimer);
      this.ws = undefined;
      this.online = false;
      if (this.stopped) return;
      if (e.code === CloseCode.unauthorized) return void this.counters.errors.push(`${this.sessionId}: token refused (${e.reason})`);
      if (e.code === CloseCode.duplicate) {
        this.counters.refusedDuplicate++;
        return this.retryIn(DUPLICATE_RETRY_MS + Math.round(Math.random() * DUPLICATE_RETRY_MS));
      }
      this.retryIn(backoffDelay(this.attempt++, Math.random));
    };
  }

  /** A new event in the session: sent now when the link is up, otherwise kept for the replay. */
  emit(event: SessionEvent): number {
    const seq = this.nextSeq++;
    this.outbox.set(seq, event);
    if (this.online) this.sendEvent(seq, event);
    return seq;
  }

  /** Closes the link and dials no more. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.welcomeTimer);
    this.ws?.close();
  }

  private retryIn(ms: number): void {
    this.retryTimer = setTimeout(() => this.dial(), ms);
  }

  private onFrame(frame: RelayFrame): void {
    switch (frame.type) {
      case "welcome":
        clearTimeout(this.welcomeTimer);
        this.online = true;
        this.attempt = 0;
        this.welcomedAt = performance.now();
        for (const a of frame.acks) if (a.sessionId === this.sessionId) this.dropUpTo(a.seq);
        for (const [seq, event] of this.outbox) this.sendEvent(seq, event);
        this.onProgress();
        return;
      case "ack":
        if (frame.sessionId !== this.sessionId) return;
        this.acks.set(frame.seq, (this.acks.get(frame.seq) ?? 0) + 1);
        this.dropUpTo(frame.seq);
        this.onProgress();
        return;
      case "ping":
        this.send({ type: "pong", t: frame.t });
        return;
      case "error":
        this.counters.errors.push(`${this.sessionId}: relay said ${frame.code}: ${frame.message}`);
        return;
      default:
        return;
    }
  }

  private dropUpTo(seq: number): void {
    for (const s of this.outbox.keys()) if (s <= seq) this.outbox.delete(s);
  }

  private sendEvent(seq: number, event: SessionEvent): void {
    this.send({ type: "event", sessionId: this.sessionId, seq, at: Date.now(), event });
  }

  private send(frame: Parameters<typeof encode<AgentFrame>>[0]): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(encode<AgentFrame>(frame));
  }
}
