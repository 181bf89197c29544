// The lead of the Telegram bot among relays, on a real redis-server: exactly one relay leads at a
// time; the others pass the webhook updates they stored to it; the leader draws the shared events
// in order; when it is cut off from Redis another takes over within the lease's life and reads the
// event log on from the saved cursor (what the old leader's surfaces finished is not drawn again).
// A killed relay's devices are handled once, by the leader, however many relays noticed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import type { Update } from "grammy/types";
import { systemClock } from "../../src/clock";
import { createLog } from "../../src/log";
import { LocalBus } from "../../src/relay/bus/local";
import { GoneDevices } from "../../src/relay/redis/gone-devices";
import { RedisStream } from "../../src/relay/redis/stream";
import { TelegramLead } from "../../src/relay/redis/telegram-lead";
import { startRedis } from "../helpers/real-servers";

let redis: Awaited<ReturnType<typeof startRedis>>;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await redis[Symbol.asyncDispose]();
});

const log = createLog("test");

/** Resolves once `done()` holds, checked whenever `changed` is called. */
function condition() {
  const waiters = new Set<() => void>();
  return {
    changed: () => waiters.forEach((w) => w()),
    until: (done: () => boolean, what: string, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`timed out waiting for ${what}`))), timeoutMs);
        const check = () => done() && (clearTimeout(timer), waiters.delete(check), resolve());
        waiters.add(check);
        check();
      }),
  };
}

/** One relay's side of the lead: a Telegram side that records what it was told, and its surfaces' events. */
function relay(prefix: string, name: string, when: ReturnType<typeof condition>) {
  const client = new RedisClient(redis.url);
  const seen = { cursor: "", leads: 0, unleads: 0, handled: [] as number[], drawn: [] as number[], forward: undefined as ((u: Update) => Promise<void>) | undefined };
  const surfaces = new LocalBus<unknown>(() => {});
  surfaces.subscribe((event) => {
    seen.drawn.push((event as { n: number }).n);
    when.changed();
  });
  const lead = new TelegramLead({
    redis: client,
    url: redis.url,
    instance: name,
    clock: systemClock,
    log,
    mode: "webhook",
    surfaces,
    duties: [],
    prefix,
    ttlMs: 600,
    retryMs: 50,
    onCursor: (id) => void ((seen.cursor = id), when.changed()),
    telegram: {
      lead: async () => void (seen.leads++, when.changed()),
      unlead: async () => void (seen.unleads++, when.changed()),
      forwardTo: (to) => void ((seen.forward = to), when.changed()),
      handle: async (update) => void (seen.handled.push(update.update_id), when.changed()),
    },
  });
  lead.start();
  cleanups.push(() => lead.stop(), () => client.close());
  return { lead, seen, client };
}

describe("the lead of the Telegram bot", () => {
  test("one relay leads; the other passes its updates on; the leader draws the events in order; a leader cut off from Redis is replaced, reading on from the cursor", async () => {
    const when = condition();
    const prefix = "t1:";
    const events = new RedisStream(new RedisClient(redis.url), `${prefix}events`);
    const a = relay(prefix, "i-aaaaaaaaaa", when);
    const b = relay(prefix, "i-bbbbbbbbbb", when);
    await when.until(() => a.seen.leads + b.seen.leads === 1, "one relay to lead");
    const [leader, other] = a.lead.leading ? [a, b] : [b, a];
    expect(other.lead.leading).toBe(false);
    expect(other.seen.forward).toBeDefined();
    expect(leader.seen.forward).toBeUndefined();

    await other.seen.forward!({ update_id: 41 } as Update);
    await when.until(() => leader.seen.handled.includes(41), "the leader to handle the passed update");

    for (const n of [1, 2, 3]) await events.append(JSON.stringify({ i: "x", e: { n } }));
    await when.until(() => leader.seen.drawn.length === 3, "the leader to draw three events");
    expect(leader.seen.drawn).toEqual([1, 2, 3]);
    expect(other.seen.drawn).toEqual([]);
    // The cursor is saved once the surfaces finished: wait for it to name the third event.
    const last = await events.lastId();
    await when.until(() => leader.seen.cursor === last, "the cursor to name the third event");
    expect(await leader.client.get(`${prefix}telegram:cursor`)).toBe(last);

    // Cut the leader off from Redis: its renewal fails, it lets go, the other takes the lead.
    leader.client.close();
    await when.until(() => other.seen.leads === 1, "the other relay to take the lead", 5000);
    expect(leader.seen.unleads).toBe(1);
    await events.append(JSON.stringify({ i: "x", e: { n: 4 } }));
    await when.until(() => other.seen.drawn.length === 1, "the new leader to draw the next event");
    expect(other.seen.drawn).toEqual([4]);
  });
});

describe("devices of a killed relay", () => {
  test("every relay that notices marks them; the leader handles each once, also those marked before it led", async () => {
    const key = `gone-${crypto.randomUUID()}`;
    const handled: string[] = [];
    const when = condition();
    const make = () => {
      const client = new RedisClient(redis.url);
      cleanups.push(() => client.close());
      return new GoneDevices({ redis: client, log, key, gone: async (id) => void (handled.push(id), when.changed()) });
    };
    const leading = make();
    const other = make();
    await Promise.all([other.mark("d1"), leading.mark("d1"), other.mark("d2")]);
    // Nobody leads yet: nothing is handled, the marks wait in Redis.
    const probe = new RedisClient(redis.url);
    cleanups.push(() => probe.close());
    expect(handled).toEqual([]);
    expect(Number(await probe.send("SCARD", [key]))).toBe(2);
    leading.start();
    await when.until(() => handled.length === 2, "both devices handled");
    await leading.drain();
    await Promise.all([leading.mark("d3"), other.mark("d3")]);
    await when.until(() => handled.includes("d3"), "d3 handled");
    await leading.drain();
    expect(handled.sort()).toEqual(["d1", "d2", "d3"]);
    expect(Number(await probe.send("SCARD", [key]))).toBe(0);
  });
});
