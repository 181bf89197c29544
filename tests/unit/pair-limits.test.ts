import { VirtualClock } from "../helpers/virtual-clock";
import { describe, expect, test } from "bun:test";
import { PairLimits } from "../../src/relay/core/pair-limits";

const MIN = 60_000;
function setup() {
  const clock = new VirtualClock();
  clock.t = 1_000_000;
  return { clock, limits: new PairLimits(clock) };
}

describe("pairing brute-force limits", () => {
  test("the 5th wrong code in 10 minutes locks that user for 15 minutes, not before", () => {
    const { clock, limits } = setup();
    for (let i = 0; i < 4; i++) expect(limits.fail(7)).toEqual({});
    expect(limits.blocked(7)).toBeNull();
    expect(limits.fail(7)).toEqual({ locked: clock.t + 15 * MIN });
    expect(limits.blocked(7)).toEqual({ reason: "locked", until: clock.t + 15 * MIN });
    expect(limits.blocked(8)).toBeNull();
    clock.t += 15 * MIN;
    expect(limits.blocked(7)).toBeNull();
  });

  test("failures older than 10 minutes do not count", () => {
    const { clock, limits } = setup();
    for (let i = 0; i < 4; i++) limits.fail(7);
    clock.t += 10 * MIN;
    expect(limits.fail(7)).toEqual({});
  });

  test("each new lock doubles, up to 24 hours", () => {
    const { clock, limits } = setup();
    const lockOnce = () => {
      for (let i = 0; i < 4; i++) limits.fail(7);
      const { locked } = limits.fail(7);
      const length = locked! - clock.t;
      clock.t = locked!;
      return length / MIN;
    };
    expect([lockOnce(), lockOnce(), lockOnce(), lockOnce()]).toEqual([15, 30, 60, 120]);
    for (let i = 0; i < 4; i++) lockOnce();
    expect(lockOnce()).toBe(24 * 60);
  });

  test("20 wrong codes across everyone pause pairing for 15 minutes", () => {
    const { clock, limits } = setup();
    for (let user = 1; user <= 19; user++) expect(limits.fail(user)).toEqual({});
    expect(limits.fail(20)).toEqual({ paused: clock.t + 15 * MIN });
    expect(limits.blocked(99)).toEqual({ reason: "paused", until: clock.t + 15 * MIN });
    clock.t += 15 * MIN;
    expect(limits.blocked(99)).toBeNull();
  });
});
