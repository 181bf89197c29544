// The core's events shared by relay instances through a real redis-server: every instance's
// surfaces see every event in one order; rules that act once see only their own instance's.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { systemClock } from "../../src/clock";
import { createLog } from "../../src/log";
import { RedisEventBus } from "../../src/relay/redis/event-bus";
import { startRedis } from "../helpers/real-servers";

type Ev = { type: string; n: number };
let redis: Awaited<ReturnType<typeof startRedis>>;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await redis[Symbol.asyncDispose]();
});

let n = 0;
async function relay(instance: string, key: string) {
  const client = new RedisClient(redis.url);
  const errors: unknown[] = [];
  const bus = new RedisEventBus<Ev>({ redis: client, url: redis.url, instance, log: createLog("test"), clock: systemClock, onError: (err) => errors.push(err), key });
  await bus.start();
  const seen: string[] = [];
  const mine: string[] = [];
  let wake = () => {};
  bus.subscribe((e) => void (seen.push(`${e.type}${e.n}`), wake()));
  bus.subscribeHere((e) => void mine.push(`${e.type}${e.n}`));
  const until = (count: number) => new Promise<void>((resolve) => {
    wake = () => seen.length >= count && resolve();
    wake();
  });
  cleanups.push(async () => (await bus.stop(), client.close()));
  return { bus, seen, mine, until, errors, client };
}

test("events published on two instances reach the surfaces of both, in one order; each instance's own rules see only its own", async () => {
  const key = `test:events:${++n}`;
  const a = await relay("a", key);
  const b = await relay("b", key);
  for (let i = 0; i < 20; i++) (i % 3 === 0 ? b : a).bus.publish({ type: i % 3 === 0 ? "b" : "a", n: i });
  await Promise.all([a.until(20), b.until(20)]);
  expect(a.seen).toHaveLength(20);
  expect(b.seen).toEqual(a.seen);
  expect(a.mine).toEqual(a.seen.filter((s) => s.startsWith("a")));
  expect(b.mine).toEqual(b.seen.filter((s) => s.startsWith("b")));
  // Each instance's own events keep the order it published them in.
  expect(a.seen.filter((s) => s.startsWith("a")).map((s) => Number(s.slice(1)))).toEqual([...Array(20).keys()].filter((i) => i % 3 !== 0));
});

test("an unreadable entry in the log is skipped and the ones after it still arrive", async () => {
  const key = `test:events:${++n}`;
  const a = await relay("a", key);
  await a.client.send("XADD", [key, "*", "d", "{broken"]);
  a.bus.publish({ type: "ok", n: 1 });
  await a.until(1);
  expect(a.seen).toEqual(["ok1"]);
  expect(a.errors).toEqual([]);
});

test("a reader whose connection to Redis drops reads on from where it stopped: nothing appended meanwhile is lost", async () => {
  const own = await startRedis();
  cleanups.push(() => own[Symbol.asyncDispose]());
  const key = "ra:events";
  const client = new RedisClient(own.url);
  const writer = new RedisClient(own.url);
  cleanups.push(() => (client.close(), writer.close()));
  const seen: number[] = [];
  let wake = () => {};
  const bus = new RedisEventBus<Ev>({ redis: client, url: own.url, instance: "b", log: createLog("test"), clock: systemClock, onError: () => {} });
  await bus.start();
  cleanups.push(() => bus.stop());
  bus.subscribe((e) => void (seen.push(e.n), wake()));
  const until = (count: number) => new Promise<void>((resolve) => {
    wake = () => seen.length >= count && resolve();
    wake();
  });
  await writer.send("XADD", [key, "*", "d", JSON.stringify({ i: "a", e: { type: "x", n: 1 } })]);
  await until(1);
  // The reader's connection is cut (the test Redis keeps no log across a restart), while another instance keeps appending.
  await writer.send("CLIENT", ["KILL", "TYPE", "normal", "SKIPME", "yes"]);
  await writer.send("XADD", [key, "*", "d", JSON.stringify({ i: "a", e: { type: "x", n: 2 } })]);
  await writer.send("XADD", [key, "*", "d", JSON.stringify({ i: "a", e: { type: "x", n: 3 } })]);
  await until(3);
  expect(seen).toEqual([1, 2, 3]);
});
