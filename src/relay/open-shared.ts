import type { Clock } from "../clock";
import type { Counters } from "./core/counters";
import type { OpenedRedis } from "./redis/open";

/**
 * What several relays share besides their database (ra serve --redis): the Redis connection and
 * the limit counters kept in it. The Redis client is loaded only then.
 */
export async function openShared(url: string, clock: Clock): Promise<{ redis: OpenedRedis; counters: Counters }> {
  const { openRedis } = await import("./redis/open");
  const { RedisCounters } = await import("./redis/counters");
  const redis = await openRedis(url);
  return { redis, counters: new RedisCounters(redis.client, clock) };
}
