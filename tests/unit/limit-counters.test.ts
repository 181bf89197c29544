// The counters the limits count with, one contract for both kinds: this relay's memory and a real
// Redis (on a virtual clock; Redis keeps the times the relay's clock gives it). Then the web
// sign-in limit on both, and two relays on one Redis sharing it.
import { describe, expect, test } from "bun:test";
import { MemoryCounters } from "../../src/relay/core/memory-counters";
import { FailureLimit } from "../../src/relay/web/rate-limit";
import { clockAt as clockAtT, counterKindsForFile } from "../helpers/limit-counters";
import { VirtualClock } from "../helpers/virtual-clock";

const MIN = 60_000;
const kinds = counterKindsForFile();
const clockAt = () => clockAtT(5_000_000);

for (const kind of ["memory", "redis"] as const) {
  const make = (clock: VirtualClock) => kinds().kinds.find((k) => k.name === kind)!.make(clock);

  describe(`counters in ${kind}`, () => {
    test("a window counts the events younger than its length and knows the oldest", async () => {
      const clock = clockAt();
      const c = make(clock);
      const start = clock.t;
      expect(await c.peek("w", 1000)).toEqual({ count: 0, oldest: undefined });
      expect(await c.hit("w", 1000)).toEqual({ count: 1, oldest: start });
      clock.t += 400;
      expect(await c.hit("w", 1000)).toEqual({ count: 2, oldest: start });
      expect(await c.hit("w", 1000)).toEqual({ count: 3, oldest: start }); // same millisecond: still two events
      expect(await c.peek("w", 1000)).toEqual({ count: 3, oldest: start });
      expect(await c.peek("other", 1000)).toEqual({ count: 0, oldest: undefined });
      clock.t = start + 1000; // exactly one window later the first event is out
      expect(await c.peek("w", 1000)).toEqual({ count: 2, oldest: start + 400 });
      clock.t = start + 1400;
      expect(await c.peek("w", 1000)).toEqual({ count: 0, oldest: undefined });
      expect(await c.hit("w", 1000)).toEqual({ count: 1, oldest: clock.t });
    });

    test("with resetAt, the event that reaches it empties the window; clear empties it too", async () => {
      const clock = clockAt();
      const c = make(clock);
      for (let i = 1; i <= 2; i++) expect((await c.hit("r", MIN, 3)).count).toBe(i);
      expect((await c.hit("r", MIN, 3)).count).toBe(3);
      expect((await c.peek("r", MIN)).count).toBe(0);
      expect((await c.hit("r", MIN, 3)).count).toBe(1);
      await c.clear("r");
      expect((await c.peek("r", MIN)).count).toBe(0);
    });

    test("numbers: incr from nothing, put overwrites, get reads, a missing one is undefined", async () => {
      const clock = clockAt();
      const c = make(clock);
      expect(await c.get("n")).toBeUndefined();
      expect(await c.incr("n", MIN)).toBe(1);
      expect(await c.incr("n", MIN)).toBe(2);
      expect(await c.get("n")).toBe(2);
      await c.put("n", clock.t + 15 * MIN, 15 * MIN);
      expect(await c.get("n")).toBe(clock.t + 15 * MIN);
    });
  });

  describe(`the web sign-in limit, counted in ${kind}`, () => {
    test("10 failures in 10 minutes refuse the address until the oldest leaves the window; other addresses go on", async () => {
      const clock = clockAt();
      const limit = new FailureLimit(clock, make(clock));
      const first = clock.t;
      for (let i = 0; i < 10; i++) {
        expect(await limit.retryAfter("1.2.3.4")).toBe(0);
        await limit.failed("1.2.3.4");
        clock.t += 30_000;
      }
      expect(await limit.retryAfter("1.2.3.4")).toBe(first + 10 * MIN - clock.t);
      expect(await limit.retryAfter("5.6.7.8")).toBe(0);
      clock.t = first + 10 * MIN;
      expect(await limit.retryAfter("1.2.3.4")).toBe(0);
    });
  });
}

describe("memory counters only", () => {
  test("numbers expire after their time to live on the relay's clock", async () => {
    const clock = clockAt();
    const c = new MemoryCounters(clock);
    await c.put("p", 1, 1000);
    clock.t += 999;
    expect(await c.get("p")).toBe(1);
    clock.t += 1;
    expect(await c.get("p")).toBeUndefined();
    expect(await c.incr("p", 1000)).toBe(1);
  });

  test("a flood of fresh keys forgets the oldest and never holds more than its cap", async () => {
    const clock = clockAt();
    const limit = new FailureLimit(clock, new MemoryCounters(clock, 3));
    for (let i = 0; i < 10; i++) await limit.failed("1.1.1.1");
    expect(await limit.retryAfter("1.1.1.1")).toBeGreaterThan(0);
    for (const ip of ["2.2.2.2", "3.3.3.3", "4.4.4.4"]) await limit.failed(ip);
    expect(await limit.retryAfter("1.1.1.1")).toBe(0);
  });
});

describe("counters in Redis only", () => {
  test("every key written has a time to live no longer than asked for", async () => {
    const clock = clockAt();
    const c = kinds().kinds.find((k) => k.name === "redis")!.make(clock);
    const prefix = kinds().lastPrefix();
    await c.hit("w", 10 * MIN);
    await c.incr("n", 48 * 60 * MIN);
    await c.put("p", 1, 15 * MIN);
    const ttl = async (key: string) => Number(await kinds().redis.send("PTTL", [prefix + key]));
    for (const [key, most] of [["w", 10 * MIN], ["n", 48 * 60 * MIN], ["p", 15 * MIN]] as const) {
      const left = await ttl(key);
      expect({ key, ok: left > 0 && left <= most }).toEqual({ key, ok: true });
    }
    await c.hit("w", 10 * MIN, 2); // reaching resetAt deletes the window outright
    expect(await ttl("w")).toBe(-2);
  });

  test("two relays on one Redis share the sign-in limit: 5 failures on each refuse the address on both", async () => {
    const clock = clockAt();
    const [a, b] = kinds().shared(clock, 2).counters.map((c) => new FailureLimit(clock, c));
    for (let i = 0; i < 5; i++) {
      await a!.failed("9.9.9.9");
      await b!.failed("9.9.9.9");
    }
    expect(await a!.retryAfter("9.9.9.9")).toBe(10 * MIN);
    expect(await b!.retryAfter("9.9.9.9")).toBe(10 * MIN);
  });
});
