import { RedisClient } from "bun";
import type { Clock } from "../../clock";

/** One entry of a stream: its id (ordered, "ms-seq") and the string it carries. */
export type StreamEntry = { id: string; data: string };

/**
 * A Redis Stream used as an ordered, durable log between relay instances. Unlike pub/sub, an entry
 * stays readable after it was written, so a reader that was away (restarting, or cut off from
 * Redis for a while) reads on from the last id it handled and misses nothing within `maxLen`.
 */
export class RedisStream {
  constructor(
    private readonly redis: RedisClient,
    readonly key: string,
    /** About this many newest entries are kept (trimmed approximately, which is cheap). */
    private readonly maxLen = 100_000,
  ) {}

  async append(data: string): Promise<string> {
    return (await this.redis.send("XADD", [this.key, "MAXLEN", "~", String(this.maxLen), "*", "d", data])) as string;
  }

  /** The id of the newest entry, or "0-0" for an empty stream: where a reader that wants only new entries starts. */
  async lastId(): Promise<string> {
    const last = (await this.redis.send("XREVRANGE", [this.key, "+", "-", "COUNT", "1"])) as [string, string[]][] | null;
    return last?.[0]?.[0] ?? "0-0";
  }

  /**
   * Reads entries after `afterId` in order, waiting for new ones, until `signal` aborts. A blocking
   * read holds its connection, so it gets one of its own (`url`), closed when the reader ends.
   */
  async *read(url: string, afterId: string, signal: AbortSignal, blockMs = 5000): AsyncGenerator<StreamEntry> {
    const reader = new RedisClient(url, { enableAutoPipelining: false });
    const abort = () => reader.close();
    signal.addEventListener("abort", abort, { once: true });
    let last = afterId;
    try {
      while (!signal.aborted) {
        let reply: unknown;
        try {
          reply = await reader.send("XREAD", ["COUNT", "512", "BLOCK", String(blockMs), "STREAMS", this.key, last]);
        } catch (cause) {
          if (signal.aborted) return;
          throw cause;
        }
        for (const [id, fields] of entriesOf(reply)) {
          last = id;
          yield { id, data: fieldOf(fields, "d") };
        }
      }
    } finally {
      signal.removeEventListener("abort", abort);
      reader.close();
    }
  }
}

/**
 * Reads `stream` after `from` until `signal` aborts, handling one entry at a time. After an error
 * (Redis away) it says so through `failed` and reads on from the last entry it handled.
 */
export async function followStream(o: {
  stream: RedisStream;
  url: string;
  from: string;
  signal: AbortSignal;
  clock: Clock;
  failed: (err: unknown) => void;
  handle: (entry: StreamEntry) => void | Promise<void>;
}): Promise<void> {
  let last = o.from;
  while (!o.signal.aborted) {
    try {
      for await (const entry of o.stream.read(o.url, last, o.signal, 1000)) {
        last = entry.id;
        await o.handle(entry);
      }
    } catch (err) {
      if (o.signal.aborted) return;
      o.failed(err);
      await o.clock.sleep(500, o.signal);
    }
  }
}

type RawEntry = [string, string[]];
/** XREAD answers a map of stream → entries (RESP3, Bun's client) or a list of [stream, entries] (RESP2); null on timeout. */
function entriesOf(reply: unknown): RawEntry[] {
  if (!reply) return [];
  const perStream = Array.isArray(reply) ? (reply as [string, RawEntry[]][]).map(([, entries]) => entries) : Object.values(reply as Record<string, RawEntry[]>);
  return perStream.flat();
}

const fieldOf = (fields: string[], name: string) => {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]!;
  return "";
};
