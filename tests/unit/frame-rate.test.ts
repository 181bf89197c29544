import { describe, expect, test } from "bun:test";
import { AGENT_FRAME_RATE, FrameRate } from "../../src/relay/frame-rate";

const clockAt = (t = 0) => {
  const clock = { t, now: () => clock.t, sleep: async () => {} };
  return clock;
};

describe("per-connection frame rate", () => {
  test("a burst of exactly `burst` frames passes, the next one does not", () => {
    const clock = clockAt();
    const rate = new FrameRate(clock, { perSecond: 10, burst: 50 });
    for (let i = 0; i < 50; i++) expect(rate.take()).toBe(true);
    expect(rate.take()).toBe(false);
  });

  test("tokens come back at perSecond, never beyond the burst", () => {
    const clock = clockAt();
    const rate = new FrameRate(clock, { perSecond: 10, burst: 50 });
    for (let i = 0; i < 50; i++) rate.take();
    clock.t += 100; // one token
    expect([rate.take(), rate.take()]).toEqual([true, false]);
    clock.t += 3_600_000;
    let passed = 0;
    while (rate.take()) passed++;
    expect(passed).toBe(50);
  });

  test("an agent streaming at its limit forever is never cut off", () => {
    const clock = clockAt();
    const rate = new FrameRate(clock);
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < AGENT_FRAME_RATE.perSecond; i++) expect(rate.take()).toBe(true);
      clock.t += 1000;
    }
  });
});
