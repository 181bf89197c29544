// The pieces several relays coordinate with, against a real redis-server on loopback.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { systemClock } from "../../src/clock";
import { Lease } from "../../src/relay/redis/lease";
import { RedisStream } from "../../src/relay/redis/stream";
import { startRedis } from "../helpers/real-servers";
import { VirtualClock } from "../helpers/virtual-clock";

let redis: Awaited<ReturnType<typeof startRedis>>;
const clients: RedisClient[] = [];
const client = () => {
  const c = new RedisClient(redis.url);
  clients.push(c);
  return c;
};
let n = 0;
const key = (what: string) => `test:${what}:${++n}`;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await redis[Symbol.asyncDispose]();
});

const lease = (k: string, token: string, ttlMs = 30_000, c = client()) => new Lease({ redis: c, key: k, token, ttlMs, clock: systemClock });

describe("Lease", () => {
  test("one holder at a time; released, the next one takes it", async () => {
    const k = key("lease");
    const a = lease(k, "a");
    const b = lease(k, "b");
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(b.isHeld).toBe(false);
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    expect(await client().get(k)).toBe("b");
    await b.release();
  });

  test("a holder that stops renewing (a crashed relay) loses it when it expires, and a waiting one takes over", async () => {
    const k = key("lease");
    // The crashed holder: its lease was written with a short life and nobody renews it.
    await client().send("SET", [k, "crashed", "PX", "300"]);
    const b = lease(k, "b");
    const stop = new AbortController();
    expect(await b.acquire(25, stop.signal)).toBe(true);
    expect(await client().get(k)).toBe("b");
    await b.release();
  });

  test("the holder renews at a third of the lease's life, so it outlives its first lifetime", async () => {
    const k = key("lease");
    const clock = new VirtualClock();
    const c = client();
    const a = new Lease({ redis: c, key: k, token: "a", ttlMs: 30_000, clock });
    expect(await a.tryAcquire()).toBe(true);
    // As if most of the lease's life had passed on the server: only the renewal can bring it back.
    await c.send("PEXPIRE", [k, "2000"]);
    const renewed = new Promise<void>((resolve) => {
      const check = async () => ((await c.send("PTTL", [k])) as number) > 20_000 ? resolve() : setImmediate(check);
      void check();
    });
    await clock.advance(10_000);
    await renewed;
    expect(a.isHeld).toBe(true);
    expect(clock.pending).toBe(1); // and the next renewal is due
    await a.release();
    expect(clock.pending).toBe(0);
  });

  test("taken over by another token: the next renewal says so and the holder hears it lost", async () => {
    const k = key("lease");
    const a = lease(k, "a");
    expect(await a.tryAcquire()).toBe(true);
    const lost = new Promise<void>((resolve) => a.onLost(resolve));
    await client().send("SET", [k, "intruder"]);
    expect(await a.renew()).toBe(false);
    await lost;
    expect(a.isHeld).toBe(false);
    // Releasing after losing it never deletes the other holder's lease.
    await a.release();
    expect(await client().get(k)).toBe("intruder");
  });

  test("Redis unreachable at renewal: the holder counts the lease as lost (another may hold it by now)", async () => {
    await using own = await startRedis();
    const c = new RedisClient(own.url, { autoReconnect: false });
    const a = new Lease({ redis: c, key: "leader", token: "a", ttlMs: 30_000, clock: systemClock });
    expect(await a.tryAcquire()).toBe(true);
    const lost = new Promise<void>((resolve) => a.onLost(resolve));
    await own.stop();
    expect(await a.renew()).toBe(false);
    await lost;
    expect(a.isHeld).toBe(false);
    c.close();
  });
});

describe("RedisStream", () => {
  test("a reader gets every entry in order, also those written before it started", async () => {
    const s = new RedisStream(client(), key("stream"));
    const first = await s.append("one");
    await s.append("two");
    const stop = new AbortController();
    const got: string[] = [];
    const reading = (async () => {
      for await (const e of s.read(redis.url, "0-0", stop.signal, 100)) {
        got.push(e.data);
        if (got.length === 4) stop.abort();
      }
    })();
    await s.append("three");
    await s.append("four");
    await reading;
    expect(got).toEqual(["one", "two", "three", "four"]);
    expect(first < (await s.lastId())).toBe(true);
  });

  test("a reader that was away goes on from the last id it handled and misses nothing", async () => {
    const s = new RedisStream(client(), key("stream"));
    await s.append("a");
    let last = "0-0";
    const stop1 = new AbortController();
    for await (const e of s.read(redis.url, last, stop1.signal, 100)) {
      last = e.id;
      stop1.abort();
    }
    await s.append("b");
    await s.append("c");
    const stop2 = new AbortController();
    const got: string[] = [];
    for await (const e of s.read(redis.url, last, stop2.signal, 100)) {
      got.push(e.data);
      if (got.length === 2) stop2.abort();
    }
    expect(got).toEqual(["b", "c"]);
  });

  test("lastId of an empty stream starts a reader at the beginning", async () => {
    const s = new RedisStream(client(), key("stream"));
    expect(await s.lastId()).toBe("0-0");
  });
});
