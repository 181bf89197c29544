import type { RedisClient } from "bun";
import type { Update } from "grammy/types";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { TelegramSide } from "../telegram/bot";
import { parseEvent } from "./event-bus";
import { Lease } from "./lease";
import { followStream, RedisStream } from "./stream";

/** What only the leading relay does besides Telegram (the schedules, the killed relays' devices). */
export type Duty = { start(): void | Promise<void>; stop(): void };

/** Where the lead's surfaces get the shared events (one local bus the Telegram surfaces subscribe to). */
export type SurfaceFeed = { publish(event: unknown): void; settled(): Promise<void> };

export type TelegramLeadOptions = {
  redis: RedisClient;
  /** For the blocking readers, which need connections of their own. */
  url: string;
  instance: string;
  clock: Clock;
  log: Log;
  telegram: Pick<TelegramSide, "lead" | "unlead" | "forwardTo" | "handle">;
  mode: "poll" | "webhook";
  surfaces: SurfaceFeed;
  duties: Duty[];
  /** The shared event log's key (tests use their own prefix). */
  prefix?: string;
  /** Called once the drawn events' cursor is saved (tests wait on it). */
  onCursor?: (id: string) => void;
  /** A killed leader is replaced within this (and the retry below). */
  ttlMs?: number;
  retryMs?: number;
};

/**
 * One relay at a time leads the Telegram bot: it polls (or handles what the others' webhooks
 * stored), draws every chat from the shared event log, and does the other duties that must
 * happen once. A bot's calls are limited per bot and per chat anyway, so one drawer is enough,
 * and two relays never edit one message. The lead is the lease `ra:telegram:lead`; when its holder
 * dies another takes it within the lease's life, reads on from the event log's saved cursor
 * (the last event all its surfaces finished) and handles the updates that waited.
 */
export class TelegramLead {
  private readonly lease: Lease;
  private readonly events: RedisStream;
  private readonly updates: RedisStream;
  private readonly cursorKey: string;
  private readonly stop$ = new AbortController();
  private running: Promise<void> | undefined;
  private term: AbortController | undefined;

  constructor(private readonly o: TelegramLeadOptions) {
    const prefix = o.prefix ?? "ra:";
    this.lease = new Lease({ redis: o.redis, key: `${prefix}telegram:lead`, token: o.instance, ttlMs: o.ttlMs ?? 6000, clock: o.clock });
    this.events = new RedisStream(o.redis, `${prefix}events`);
    this.updates = new RedisStream(o.redis, `${prefix}telegram:updates`, 10_000);
    this.cursorKey = `${prefix}telegram:cursor`;
    this.follow();
  }

  get leading(): boolean {
    return this.lease.isHeld;
  }

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stop$.abort();
    this.term?.abort();
    await this.running;
    await this.lease.release();
  }

  private async run(): Promise<void> {
    const { clock, log } = this.o;
    while (!this.stop$.signal.aborted) {
      if (!(await this.lease.acquire(this.o.retryMs ?? 1000, this.stop$.signal))) return;
      const term = (this.term = new AbortController());
      const unlisten = this.lease.onLost(() => term.abort());
      try {
        await this.lead(term.signal);
      } catch (err) {
        log.error(`could not take the lead of the Telegram bot: ${(err as Error)?.message ?? err}; another relay may take it`);
        await this.lease.release();
        term.abort();
      }
      await new Promise<void>((resolve) => (term.signal.aborted ? resolve() : term.signal.addEventListener("abort", () => resolve(), { once: true })));
      unlisten();
      await this.unlead();
      if (!this.stop$.signal.aborted) {
        log.warn("this relay lost the lead of the Telegram bot (Redis unreachable or too slow); another relay takes over");
        await clock.sleep(this.o.retryMs ?? 1000, this.stop$.signal);
      }
    }
  }

  private async lead(signal: AbortSignal): Promise<void> {
    const { redis, telegram, mode, log } = this.o;
    const updatesFrom = await this.updates.lastId();
    const cursor = ((await redis.send("GET", [this.cursorKey])) as string | null) ?? (await this.events.lastId());
    log.info(`this relay leads the Telegram bot now (${mode === "poll" ? "polling, " : ""}drawing the chats)`);
    telegram.forwardTo(undefined);
    void this.drawFrom(cursor, signal);
    for (const duty of this.o.duties) await duty.start();
    await telegram.lead(mode === "webhook" ? "webhook" : undefined);
    void this.handleFrom(updatesFrom, signal);
  }

  private async unlead(): Promise<void> {
    this.follow();
    for (const duty of this.o.duties) duty.stop();
    await this.o.telegram.unlead();
  }

  /** Another relay leads: webhook deliveries stored here are passed to it. */
  private follow(): void {
    this.o.telegram.forwardTo(async (update: Update) => void (await this.updates.append(JSON.stringify(update))));
  }

  /** The shared events into the surfaces, saving how far they got (the next lead reads on from there). */
  private async drawFrom(from: string, signal: AbortSignal): Promise<void> {
    const { surfaces, redis } = this.o;
    let published = from;
    let saved = from;
    let saving = false;
    const save = async () => {
      if (saving) return;
      saving = true;
      try {
        while (saved !== published && !signal.aborted) {
          const id = published;
          await surfaces.settled();
          if (signal.aborted) return;
          await redis.send("SET", [this.cursorKey, id]);
          saved = id;
          this.o.onCursor?.(id);
        }
      } catch (err) {
        this.o.log.warn(`could not save how far the chats are drawn: ${(err as Error)?.message ?? err}`);
      } finally {
        saving = false;
      }
    };
    await this.read(this.events, from, signal, (id, data) => {
      const event = parseEvent(data);
      if (event === undefined) return this.o.log.warn(`ignored an unreadable entry in the shared event log: ${data.slice(0, 200)}`);
      surfaces.publish(event);
      published = id;
      void save();
    });
  }

  private async handleFrom(from: string, signal: AbortSignal): Promise<void> {
    await this.read(this.updates, from, signal, async (_, data) => {
      const update = parseUpdate(data);
      if (update) await this.o.telegram.handle(update);
      else this.o.log.warn(`ignored an unreadable update passed by another relay: ${data.slice(0, 200)}`);
    });
  }

  private read(stream: RedisStream, from: string, signal: AbortSignal, handle: (id: string, data: string) => void | Promise<void>): Promise<void> {
    const { url, clock, log } = this.o;
    return followStream({
      stream, url, from, signal, clock,
      failed: (err) => log.warn(`reading ${stream.key} failed (${(err as Error)?.message ?? err}); reading on from where it stopped`),
      handle: (entry) => handle(entry.id, entry.data),
    });
  }
}

function parseUpdate(data: string): Update | undefined {
  try {
    const update = JSON.parse(data) as Update;
    return update && typeof update === "object" && Number.isSafeInteger(update.update_id) ? update : undefined;
  } catch {
    return undefined;
  }
}
