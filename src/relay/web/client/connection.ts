import type { WebCommand, WebResult, WebServerMessage } from "../../../proto/web";

type Body = WebCommand extends infer C ? (C extends { ref: string } ? Omit<C, "ref"> : never) : never;
export type Result = Omit<WebResult, "type" | "ref">;

/** The relay closes with this when the session is gone (signed out, revoked): show the sign-in page. */
const SIGNED_OUT = 4001;

/**
 * The app's socket to the relay: opens, hands every message to `onMessage`, reconnects by itself
 * with backoff (the relay then sends a fresh snapshot), and answers each command with its result.
 */
export class Connection {
  private ws?: WebSocket;
  private waiting = new Map<string, (r: Result) => void>();
  private next = 0;
  private backoff = 500;

  constructor(
    private readonly onMessage: (m: WebServerMessage) => void,
    private readonly onStatus: (status: "connecting" | "open" | "closed") => void,
    /** Where the app's stream stands, to get only what was missed after a drop. */
    private readonly position: () => { epoch: string; seq: number } | undefined,
  ) {}

  /** Opens the socket; `fresh` asks for a snapshot instead of the missed events. */
  open(fresh = false): void {
    this.onStatus("connecting");
    const at = fresh ? undefined : this.position();
    const query = at ? `?epoch=${encodeURIComponent(at.epoch)}&since=${at.seq}` : "";
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/app/ws${query}`);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 500;
      this.onStatus("open");
    };
    ws.onmessage = (e) => {
      const message = JSON.parse(String(e.data)) as WebServerMessage;
      if (message.type === "result") {
        this.waiting.get(message.ref)?.(message);
        this.waiting.delete(message.ref);
      }
      this.onMessage(message);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.onStatus("closed");
      for (const resolve of this.waiting.values()) resolve({ ok: false, message: "The connection dropped; try again." });
      this.waiting.clear();
      if (e.code === SIGNED_OUT) return location.reload(); // the relay now shows the sign-in page
      setTimeout(() => void this.retry(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 10_000);
    };
  }

  /** Reconnects, unless the relay answers that this browser is no longer signed in (then shows sign-in). */
  private async retry(): Promise<void> {
    const me = await fetch("/app/me", { cache: "no-store" }).catch(() => undefined);
    if (me?.status === 401) return location.reload();
    this.open();
  }

  /** Drops the socket and starts over from a snapshot (the app missed events). */
  restart(): void {
    const old = this.ws;
    this.ws = undefined;
    if (old) old.onmessage = null;
    old?.close();
    this.open(true);
  }

  send(body: Body): Promise<Result> {
    const ref = `c${++this.next}`;
    if (this.ws?.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, message: "Not connected; reconnecting…" });
    return new Promise((resolve) => {
      this.waiting.set(ref, resolve);
      this.ws!.send(JSON.stringify({ ...body, ref }));
    });
  }
}
