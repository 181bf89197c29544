import type { Clock } from "../clock";
import type { Log } from "../log";
import type { Bus } from "./bus/types";
import type { Counters } from "./core/counters";
import type { CoreEvent } from "./core/events";
import type { ChatGates } from "./telegram/chat-gate";
import type { OpenedRedis } from "./redis/open";
import type { Joined, JoinParts } from "./redis/join";

export type Shared = {
  redis: OpenedRedis;
  counters: Counters;
  chatGates: ChatGates;
  /** This relay instance among the others. */
  instance: string;
  /** The core's events, shared by all relays through Redis. */
  bus: Bus<CoreEvent>;
  /** Starts sharing the work: devices reachable from every relay, one relay leading the bot. */
  join(parts: JoinParts): Promise<Joined>;
  /** Stops reading the shared event log and closes the connection (a relay that stops, or failed to start). */
  close(): Promise<void>;
};

/**
 * What several relays share besides their database (ra serve --redis): the Redis connection, the
 * limit counters kept in it, the chat gates that let one of them at a time call a chat, the
 * event log and the routing to devices connected elsewhere. The Redis client is loaded only then.
 */
export async function openShared(url: string, clock: Clock, log: Log, onError: (err: unknown, event: CoreEvent) => void): Promise<Shared> {
  const { openRedis } = await import("./redis/open");
  const { RedisCounters } = await import("./redis/counters");
  const { RedisChatGates } = await import("./redis/chat-gate");
  const { RedisEventBus } = await import("./redis/event-bus");
  const { instanceId } = await import("./redis/devices");
  const { joinRelays } = await import("./redis/join");
  const redis = await openRedis(url);
  const instance = instanceId();
  const chatGates = new RedisChatGates({ redis: redis.client, clock, log, instance });
  const bus = new RedisEventBus<CoreEvent>({ redis: redis.client, url: redis.url, instance, log, clock, onError });
  try {
    await bus.start();
  } catch (err) {
    redis.close();
    throw err;
  }
  return {
    redis,
    counters: new RedisCounters(redis.client, clock),
    chatGates,
    instance,
    bus,
    join: (parts) => joinRelays({ ...parts, redis, instance, clock, log, bus }),
    close: async () => {
      await bus.stop();
      redis.close();
    },
  };
}
