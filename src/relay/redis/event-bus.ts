import type { RedisClient } from "bun";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { LocalBus } from "../bus/local";
import type { Bus, Handler } from "../bus/types";
import { followStream, RedisStream } from "./stream";

export type RedisEventBusOptions<E> = {
  redis: RedisClient;
  /** For the blocking reader, which needs a connection of its own. */
  url: string;
  /** This relay instance (what its own events are marked with). */
  instance: string;
  log: Log;
  clock: Clock;
  onError: (err: unknown, event: E) => void;
  /** The log's key (tests use their own). */
  key?: string;
};

/**
 * The core's events shared by several relay instances: each event goes into the Redis Stream
 * `ra:events`, and every instance reads the stream into its surfaces, so all of them see all
 * events in one order (a turn running on a machine connected to another instance streams into
 * this instance's browsers). Rules that must act once per event (counting a turn's cost) subscribe
 * with `subscribeHere` and get only the events this instance published, at once.
 * A reader that was cut off from Redis reads on from the last entry it handled: nothing is lost
 * within the stream's length.
 */
export class RedisEventBus<E> implements Bus<E> {
  private readonly everywhere: LocalBus<E>;
  private readonly here: LocalBus<E>;
  private readonly stream: RedisStream;
  private readonly stop$ = new AbortController();
  private reading: Promise<void> | undefined;

  constructor(private readonly o: RedisEventBusOptions<E>) {
    this.everywhere = new LocalBus<E>(o.onError);
    this.here = new LocalBus<E>(o.onError);
    this.stream = new RedisStream(o.redis, o.key ?? "ra:events");
  }

  /** Starts reading the log from its newest entry (what came before is in the store). */
  async start(): Promise<void> {
    const from = await this.stream.lastId();
    this.reading = this.follow(from);
  }

  async stop(): Promise<void> {
    this.stop$.abort();
    await this.reading;
  }

  publish(event: E): void {
    this.here.publish(event);
    this.stream.append(JSON.stringify({ i: this.o.instance, e: event })).catch((err) => this.o.log.error(`could not share an event through Redis (the other relays miss it): ${(err as Error)?.message ?? err}`));
  }

  /** Every event of every instance, in the log's order (the surfaces). */
  subscribe(handler: Handler<E>): () => void {
    return this.everywhere.subscribe(handler);
  }

  /** Only the events this instance published, at once (rules that act once per event). */
  subscribeHere(handler: Handler<E>): () => void {
    return this.here.subscribe(handler);
  }

  private follow(from: string): Promise<void> {
    const { url, clock, log } = this.o;
    return followStream({
      stream: this.stream, url, from, signal: this.stop$.signal, clock,
      failed: (err) => log.warn(`reading the shared event log failed (${(err as Error)?.message ?? err}); reading on from where it stopped`),
      handle: (entry) => {
        const event = parseEvent<E>(entry.data);
        if (event === undefined) log.warn(`ignored an unreadable entry in the shared event log: ${entry.data.slice(0, 200)}`);
        else this.everywhere.publish(event);
      },
    });
  }

  /** Resolves once every subscriber here has finished with what it was given so far. */
  async settled(): Promise<void> {
    await Promise.all([this.here.settled(), this.everywhere.settled()]);
  }
}

/** An entry of the shared event log: the event, or undefined for one that cannot be read. */
export function parseEvent<E>(data: string): E | undefined {
  try {
    const entry = JSON.parse(data) as { e?: E };
    return entry && typeof entry === "object" && entry.e !== undefined ? entry.e : undefined;
  } catch {
    return undefined;
  }
}
