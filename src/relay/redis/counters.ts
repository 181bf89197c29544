import type { RedisClient } from "bun";
import type { Clock } from "../../clock";
import type { Counters, Window } from "../core/counters";

// A window is a sorted set of event times. Each script is one atomic step on the server, and every
// key it writes gets a time to live, so Redis forgets what no limit needs any more.
const HIT = `
local key, now, window, member, resetAt = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
redis.call("ZREMRANGEBYSCORE", key, "-inf", now - window)
redis.call("ZADD", key, now, member)
local count = redis.call("ZCARD", key)
local oldest = redis.call("ZRANGE", key, 0, 0, "WITHSCORES")[2]
if resetAt > 0 and count >= resetAt then redis.call("DEL", key) else redis.call("PEXPIRE", key, window) end
return {count, oldest}`;
const PEEK = `
local key, since = KEYS[1], ARGV[1]
local count = redis.call("ZCOUNT", key, "(" .. since, "+inf")
local first = redis.call("ZRANGEBYSCORE", key, "(" .. since, "+inf", "WITHSCORES", "LIMIT", 0, 1)
return {count, first[2] or false}`;
const INCR = `
local value = redis.call("INCR", KEYS[1])
redis.call("PEXPIRE", KEYS[1], ARGV[1])
return value`;

/**
 * Counters in Redis (ra serve --redis): every relay on the same Redis shares them, so a lockout
 * earned on one instance holds on all. Keys are `ra:limit:…`. Times come from the relay's clock,
 * which instances are expected to keep in step (NTP), like the rest of their shared state.
 */
export class RedisCounters implements Counters {
  private seq = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly clock: Clock,
    private readonly prefix = "ra:limit:",
  ) {}

  async hit(key: string, windowMs: number, resetAt = 0): Promise<Window> {
    const now = this.clock.now();
    // Two events in the same millisecond (on two instances) must stay two members.
    const member = `${now}:${crypto.randomUUID().slice(0, 8)}:${++this.seq}`;
    return windowOf(await this.redis.send("EVAL", [HIT, "1", this.prefix + key, String(now), String(windowMs), member, String(resetAt)]));
  }

  async peek(key: string, windowMs: number): Promise<Window> {
    return windowOf(await this.redis.send("EVAL", [PEEK, "1", this.prefix + key, String(this.clock.now() - windowMs)]));
  }

  async clear(key: string): Promise<void> {
    await this.redis.send("DEL", [this.prefix + key]);
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    return Number(await this.redis.send("EVAL", [INCR, "1", this.prefix + key, String(ttl(ttlMs))]));
  }

  async put(key: string, value: number, ttlMs: number): Promise<void> {
    await this.redis.send("SET", [this.prefix + key, String(value), "PX", String(ttl(ttlMs))]);
  }

  async get(key: string): Promise<number | undefined> {
    const value = await this.redis.send("GET", [this.prefix + key]);
    return value === null || value === undefined ? undefined : Number(value);
  }
}

/** Redis refuses a time to live below 1 ms. */
const ttl = (ms: number) => Math.max(1, Math.ceil(ms));

function windowOf(reply: unknown): Window {
  const [count, oldest] = reply as [number, string | null | false | undefined];
  return { count: Number(count), oldest: oldest ? Number(oldest) : undefined };
}
