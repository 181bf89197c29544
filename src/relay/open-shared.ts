import type { Clock } from "../clock";
import { hostname } from "node:os";
import type { Log } from "../log";
import type { Counters } from "./core/counters";
import type { ChatGates } from "./telegram/chat-gate";
import type { OpenedRedis } from "./redis/open";

/**
 * What several relays share besides their database (ra serve --redis): the Redis connection, the
 * limit counters kept in it, and the chat gates that let one of them at a time call a chat. The
 * Redis client is loaded only then.
 */
export async function openShared(url: string, clock: Clock, log: Log): Promise<{ redis: OpenedRedis; counters: Counters; chatGates: ChatGates }> {
  const { openRedis } = await import("./redis/open");
  const { RedisCounters } = await import("./redis/counters");
  const { RedisChatGates } = await import("./redis/chat-gate");
  const redis = await openRedis(url);
  const chatGates = new RedisChatGates({ redis: redis.client, clock, log, instance: `${hostname()}-${crypto.randomUUID()}` });
  return { redis, counters: new RedisCounters(redis.client, clock), chatGates };
}
