// The pairing brute-force brakes at their numbers, the same with the counters in memory (one
// relay) and in a real Redis (several relays); and two relays on one Redis share a lockout.
import { describe, expect, test } from "bun:test";
import { PairLimits } from "../../src/relay/core/pair-limits";
import { clockAt as clockAtT, counterKindsForFile } from "../helpers/limit-counters";

const MIN = 60_000;
const kinds = counterKindsForFile();
const clockAt = () => clockAtT(1_000_000);

for (const kind of ["memory", "redis"] as const) {
  describe(`pairing brute-force limits, counted in ${kind}`, () => {
    const setup = () => {
      const clock = clockAt();
      return { clock, limits: new PairLimits(clock, kinds().kinds.find((k) => k.name === kind)!.make(clock)) };
    };

    test("the 5th wrong code in 10 minutes locks that user for 15 minutes, not before", async () => {
      const { clock, limits } = setup();
      for (let i = 0; i < 4; i++) expect(await limits.fail(7)).toEqual({});
      expect(await limits.blocked(7)).toBeNull();
      expect(await limits.fail(7)).toEqual({ locked: clock.t + 15 * MIN });
      expect(await limits.blocked(7)).toEqual({ reason: "locked", until: clock.t + 15 * MIN });
      expect(await limits.blocked(8)).toBeNull();
      clock.t += 15 * MIN;
      expect(await limits.blocked(7)).toBeNull();
    });

    test("failures older than 10 minutes do not count", async () => {
      const { clock, limits } = setup();
      for (let i = 0; i < 4; i++) await limits.fail(7);
      clock.t += 10 * MIN;
      expect(await limits.fail(7)).toEqual({});
    });

    test("a success forgives the earlier wrong codes", async () => {
      const { limits } = setup();
      for (let i = 0; i < 4; i++) await limits.fail(7);
      await limits.succeed(7);
      for (let i = 0; i < 4; i++) expect(await limits.fail(7)).toEqual({});
    });

    test("each new lock doubles, up to 24 hours", async () => {
      const { clock, limits } = setup();
      const lockOnce = async () => {
        for (let i = 0; i < 4; i++) await limits.fail(7);
        const { locked } = await limits.fail(7);
        const length = locked! - clock.t;
        clock.t = locked!;
        return length / MIN;
      };
      const lengths: number[] = [];
      for (let i = 0; i < 9; i++) lengths.push(await lockOnce());
      expect(lengths).toEqual([15, 30, 60, 120, 240, 480, 960, 24 * 60, 24 * 60]);
    });

    test("20 wrong codes across everyone pause pairing for 15 minutes", async () => {
      const { clock, limits } = setup();
      for (let user = 1; user <= 19; user++) expect(await limits.fail(user)).toEqual({});
      expect(await limits.fail(20)).toEqual({ paused: clock.t + 15 * MIN });
      expect(await limits.blocked(99)).toEqual({ reason: "paused", until: clock.t + 15 * MIN });
      clock.t += 15 * MIN;
      expect(await limits.blocked(99)).toBeNull();
    });
  });
}

describe("two relays on one Redis", () => {
  test("5 wrong codes spread over both lock the user out on both; another user is not affected", async () => {
    const clock = clockAt();
    const [a, b] = kinds().shared(clock, 2).counters.map((c) => new PairLimits(clock, c));
    for (const relay of [a, b, a, b]) expect(await relay!.fail(7)).toEqual({});
    expect(await b!.fail(7)).toEqual({ locked: clock.t + 15 * MIN });
    expect(await a!.blocked(7)).toEqual({ reason: "locked", until: clock.t + 15 * MIN });
    expect(await b!.blocked(7)).toEqual({ reason: "locked", until: clock.t + 15 * MIN });
    expect(await a!.blocked(8)).toBeNull();
    // The next lock doubles wherever it is earned.
    clock.t += 15 * MIN;
    for (let i = 0; i < 4; i++) await a!.fail(7);
    expect(await b!.fail(7)).toEqual({ locked: clock.t + 30 * MIN });
  });

  test("wrong codes racing on both relays lock once per 5, as on one relay, and the 20th across everyone pauses both", async () => {
    const clock = clockAt();
    const [a, b] = kinds().shared(clock, 2).counters.map((c) => new PairLimits(clock, c));
    const results = await Promise.all([...Array.from({ length: 5 }, () => a!.fail(7)), ...Array.from({ length: 5 }, () => b!.fail(7))]);
    // 10 wrong codes: the 5th locks for 15 minutes, the 10th (counted before the lock was seen) for 30.
    expect(results.flatMap((r) => (r.locked ? [r.locked - clock.t] : [])).sort((x, y) => x - y)).toEqual([15 * MIN, 30 * MIN]);
    expect((await a!.blocked(7))?.reason).toBe("locked");
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b)!.fail(100 + i)));
    expect(more.filter((r) => r.paused)).toEqual([{ paused: clock.t + 15 * MIN }]);
    expect(await a!.blocked(5)).toEqual({ reason: "paused", until: clock.t + 15 * MIN });
  });

  test("everything it keeps in Redis is under ra:limit: and expires by itself", async () => {
    const clock = clockAt();
    const { counters: [one], prefix } = kinds().shared(clock, 1);
    const limits = new PairLimits(clock, one!);
    for (let i = 0; i < 5; i++) await limits.fail(7);
    await limits.fail(8);
    const keys = (await kinds().redis.send("KEYS", [`${prefix}*`])) as string[];
    expect(keys.sort()).toEqual([`${prefix}pair:fail:8`, `${prefix}pair:fail:all`, `${prefix}pair:level:7`, `${prefix}pair:lock:7`]);
    for (const key of keys) expect(Number(await kinds().redis.send("PTTL", [key]))).toBeGreaterThan(0);
  });
});
