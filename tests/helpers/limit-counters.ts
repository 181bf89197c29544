// The two kinds of limit counters side by side, for contract tests: this relay's memory and a real
// Redis (each Redis counter set gets its own key prefix, so tests never see each other's counts).
import { afterAll, beforeAll } from "bun:test";
import { RedisClient } from "bun";
import type { Clock } from "../../src/clock";
import type { Counters } from "../../src/relay/core/counters";
import { MemoryCounters } from "../../src/relay/core/memory-counters";
import { RedisCounters } from "../../src/relay/redis/counters";
import { startRedis } from "./real-servers";
import { VirtualClock } from "./virtual-clock";

export type CounterKinds = {
  kinds: { name: "memory" | "redis"; make(clock: Clock): Counters }[];
  /** `relays` counter sets on one Redis and one key prefix, each with its own connection: several relays. */
  shared(clock: Clock, relays: number): { counters: Counters[]; prefix: string };
  /** A plain client on the same Redis, to look at keys. */
  redis: RedisClient;
  /** The key prefix of the latest Redis counters made. */
  lastPrefix(): string;
  [Symbol.asyncDispose](): Promise<void>;
};

export async function counterKinds(): Promise<CounterKinds> {
  const server = await startRedis();
  const clients: RedisClient[] = [];
  const client = () => {
    const c = new RedisClient(server.url);
    clients.push(c);
    return c;
  };
  let n = 0;
  let prefix = "";
  return {
    kinds: [
      { name: "memory", make: (clock) => new MemoryCounters(clock) },
      { name: "redis", make: (clock) => new RedisCounters(client(), clock, (prefix = `ra:limit:t${++n}:`)) },
    ],
    shared(clock, relays) {
      const at = `ra:limit:t${++n}:`;
      return { counters: Array.from({ length: relays }, () => new RedisCounters(client(), clock, at)), prefix: at };
    },
    redis: client(),
    lastPrefix: () => prefix,
    async [Symbol.asyncDispose]() {
      for (const c of clients) c.close();
      await server[Symbol.asyncDispose]();
    },
  };
}

/** Both kinds for one test file (Redis started before its tests, stopped after): read them through the getter. */
export function counterKindsForFile(): () => CounterKinds {
  let kinds: CounterKinds | undefined;
  beforeAll(async () => {
    kinds = await counterKinds();
  });
  afterAll(async () => {
    await kinds?.[Symbol.asyncDispose]();
  });
  return () => kinds!;
}

/** A virtual clock standing at `t`. */
export function clockAt(t: number): VirtualClock {
  const clock = new VirtualClock();
  clock.t = t;
  return clock;
}
