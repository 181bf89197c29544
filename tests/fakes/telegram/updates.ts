/**
 * Update delivery as Telegram does it: a queue confirmed by getUpdates offsets, long polls that end
 * on the first new update (the newest poll wins, an older one gets 409), allowed_updates filtering,
 * and webhooks (POST with the secret header, retried a bounded number of times on non-2xx).
 */
import type { Update } from "grammy/types";
import { ApiError, badRequest, Described } from "./http";
import type { FakeEvent, WebhookDelivery } from "./types";

/** Everything except these is delivered when allowed_updates is empty or was never given. */
const NOT_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

const CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const CONFLICT_SET_WEBHOOK = "Conflict: terminated by setWebhook request";

type PendingPoll = { limit: number; resolve: (updates: Update[]) => void; reject: (error: ApiError) => void; timer: ReturnType<typeof setTimeout> };

export type Webhook = { url: string; secret_token?: string; max_connections: number; allowed_updates?: string[]; ip_address?: string };

export type PollParams = { offset?: number; limit?: number; timeout?: number; allowed_updates?: unknown };

export const updateType = (update: Update) => Object.keys(update).find((key) => key !== "update_id") ?? "unknown";

export class UpdateQueue {
  private queue: Update[] = [];
  private nextId = 1;
  /** null: the default set. */
  private allowed: Set<string> | null = null;
  private poll: PendingPoll | null = null;
  private webhookConfig: Webhook | null = null;
  private delivering = false;
  private lastError: { date: number; message: string } | null = null;
  private readonly aborter = new AbortController();
  readonly deliveries: WebhookDelivery[] = [];

  constructor(
    private readonly emit: (event: FakeEvent) => void,
    private readonly webhookOptions: { attempts: number; retryDelayMs: number; freshConnections?: boolean },
  ) {}

  get pending(): readonly Update[] {
    return this.queue;
  }

  get polling(): boolean {
    return this.poll !== null;
  }

  get webhook(): Webhook | null {
    return this.webhookConfig;
  }

  /** Queues an update unless allowed_updates excludes its type; returns it with its id, or null. */
  push(partial: Omit<Update, "update_id"> & { update_id?: number }): Update | null {
    const { update_id = this.nextId, ...rest } = partial;
    const update = { update_id, ...rest } as Update;
    this.nextId = Math.max(this.nextId, update.update_id + 1);
    if (!this.isAllowed(updateType(update))) return null;
    this.queue.push(update);
    this.emit({ type: "update", update });
    this.answerPoll();
    void this.deliverWebhooks();
    return update;
  }

  async getUpdates(p: PollParams, signal: AbortSignal): Promise<Update[]> {
    if (this.webhookConfig) throw new ApiError(409, CONFLICT_WEBHOOK);
    if (p.allowed_updates !== undefined) this.setAllowed(p.allowed_updates);
    this.confirm(Number(p.offset ?? 0));
    this.endPoll(new ApiError(409, CONFLICT_POLL));
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeout = Number(p.timeout ?? 0);
    if (this.queue.length > 0 || !(timeout > 0)) return this.queue.slice(0, limit);
    return this.wait(limit, timeout, signal);
  }

  setWebhook(p: Record<string, unknown>): Described {
    const url = String(p.url ?? "");
    if (url === "") return this.deleteWebhook(p);
    checkWebhookUrl(url);
    const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest("secret token contains unallowed characters");
    if (p.allowed_updates !== undefined) this.setAllowed(p.allowed_updates);
    if (p.drop_pending_updates === true) this.queue = [];
    this.endPoll(new ApiError(409, CONFLICT_SET_WEBHOOK));
    const max = Number(p.max_connections ?? 40);
    this.webhookConfig = { url, secret_token: secret, max_connections: max, allowed_updates: this.allowed ? [...this.allowed] : undefined, ip_address: p.ip_address as string | undefined };
    void this.deliverWebhooks();
    return new Described(true, "Webhook was set");
  }

  deleteWebhook(p: Record<string, unknown>): Described {
    const had = this.webhookConfig !== null;
    this.webhookConfig = null;
    if (p.drop_pending_updates === true) this.queue = [];
    return new Described(true, had ? "Webhook was deleted" : "Webhook is already deleted");
  }

  webhookInfo(): Record<string, unknown> {
    const hook = this.webhookConfig;
    return {
      url: hook?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
      ...(hook ? { max_connections: hook.max_connections } : {}),
      ...(hook?.ip_address ? { ip_address: hook.ip_address } : {}),
      ...(hook?.allowed_updates ? { allowed_updates: hook.allowed_updates } : {}),
      ...(this.lastError ? { last_error_date: this.lastError.date, last_error_message: this.lastError.message } : {}),
    };
  }

  /** Ends a pending poll (empty answer) and any webhook delivery in flight. */
  close(): void {
    this.endPoll(null);
    this.webhookConfig = null;
    this.aborter.abort();
  }

  private isAllowed(type: string): boolean {
    return this.allowed ? this.allowed.has(type) : !NOT_DEFAULT.has(type);
  }

  private setAllowed(value: unknown): void {
    const list = Array.isArray(value) ? value.map(String) : [];
    this.allowed = list.length > 0 ? new Set(list) : null;
  }

  /** Offsets confirm updates: positive drops ids below it, negative keeps only the last -offset. */
  private confirm(offset: number): void {
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
  }

  private wait(limit: number, timeout: number, signal: AbortSignal): Promise<Update[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.poll === poll && this.endPoll(null), timeout * 1000);
      const poll: PendingPoll = { limit, resolve, reject, timer };
      this.poll = poll;
      signal.addEventListener("abort", () => this.poll === poll && this.endPoll(null), { once: true });
      this.emit({ type: "poll", state: "waiting" });
    });
  }

  private answerPoll(): void {
    const poll = this.poll;
    if (!poll || this.queue.length === 0) return;
    this.poll = null;
    clearTimeout(poll.timer);
    poll.resolve(this.queue.slice(0, poll.limit));
    this.emit({ type: "poll", state: "answered" });
  }

  /** Ends the pending poll with an error, or with an empty list (timeout, abort, shutdown). */
  private endPoll(error: ApiError | null): void {
    const poll = this.poll;
    if (!poll) return;
    this.poll = null;
    clearTimeout(poll.timer);
    if (error) poll.reject(error);
    else poll.resolve([]);
    this.emit({ type: "poll", state: "ended" });
  }

  /** Delivers queued updates one at a time, in order, while a webhook is set. */
  private async deliverWebhooks(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.webhookConfig && this.queue.length > 0) {
        await this.deliver(this.queue[0]!, this.webhookConfig);
      }
    } finally {
      this.delivering = false;
    }
  }

  /**
   * Posts one update until the webhook takes it or the attempts run out; either way it then leaves
   * the queue. If the webhook is removed meanwhile, the update stays queued for getUpdates.
   */
  private async deliver(update: Update, hook: Webhook): Promise<void> {
    const { attempts, retryDelayMs } = this.webhookOptions;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await Bun.sleep(retryDelayMs * 2 ** (attempt - 2)); // Telegram's back-off, shortened
      if (this.webhookConfig !== hook) return;
      const delivery = await this.post(update, hook, attempt);
      this.deliveries.push(delivery);
      const ok = delivery.status >= 200 && delivery.status < 300;
      if (!ok) this.lastError = { date: Math.floor(Date.now() / 1000), message: delivery.error ?? `Wrong response from the webhook: ${delivery.status}` };
      if ((ok || attempt === attempts) && this.queue[0] === update) this.queue.shift();
      this.emit({ type: "webhook", delivery });
      if (ok) return;
    }
  }

  private async post(update: Update, hook: Webhook, attempt: number): Promise<WebhookDelivery> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (hook.secret_token) headers["x-telegram-bot-api-secret-token"] = hook.secret_token;
    const base = { update_id: update.update_id, attempt, secret_header: hook.secret_token, at: Date.now() };
    try {
      const res = await fetch(hook.url, { method: "POST", headers, body: JSON.stringify(update), signal: this.aborter.signal, keepalive: !this.webhookOptions.freshConnections });
      await res.arrayBuffer();
      return { ...base, status: res.status, ...(res.ok ? {} : { error: `Wrong response from the webhook: ${res.status} ${res.statusText}`.trim() }) };
    } catch (err) {
      return { ...base, status: 0, error: `Connection failed: ${(err as Error).message}` };
    }
  }
}

/** The fake only ever talks to loopback, so tests cannot reach the network through it. */
function checkWebhookUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("bad webhook: invalid URL");
  }
  if (!/^https?:$/.test(parsed.protocol)) throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  if (!["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname)) throw badRequest("bad webhook: the fake Bot API delivers only to loopback addresses");
}
