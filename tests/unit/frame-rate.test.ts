import { describe, expect, test } from "bun:test";
import { AGENT_FRAME_RATE, FrameRate } from "../../src/relay/frame-rate";

const clockAt = (t = 0) => {
  const clock = { t, now: () => clock.t, sleep: async () => {} };
  return clock;
};
const small = { frames: { perSecond: 10, burst: 50 }, bytes: { perSecond: 1000, burst: 10_000 } };

describe("per-connection frame rate", () => {
  test("a burst of exactly `burst` frames passes, the next one does not", () => {
    const rate = new FrameRate(clockAt(), small);
    for (let i = 0; i < 50; i++) expect(rate.take(1)).toBe(true);
    expect(rate.take(1)).toBe(false);
  });

  test("bytes run dry too: big frames are cut off before the frame count is", () => {
    const rate = new FrameRate(clockAt(), small);
    for (let i = 0; i < 10; i++) expect(rate.take(1000)).toBe(true);
    expect(rate.take(1000)).toBe(false);
    expect(rate.take(1)).toBe(false); // nothing left
  });

  test("tokens come back at perSecond, never beyond the burst", () => {
    const clock = clockAt();
    const rate = new FrameRate(clock, small);
    for (let i = 0; i < 50; i++) rate.take(1);
    clock.t += 100; // one frame token
    expect([rate.take(1), rate.take(1)]).toEqual([true, false]);
    clock.t += 3_600_000;
    let passed = 0;
    while (rate.take(1)) passed++;
    expect(passed).toBe(50);
  });

  test("an agent streaming at its limits forever is never cut off", () => {
    const clock = clockAt();
    const rate = new FrameRate(clock);
    const { frames, bytes } = AGENT_FRAME_RATE;
    const size = Math.floor(bytes.perSecond / frames.perSecond);
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < frames.perSecond; i++) expect(rate.take(size)).toBe(true);
      clock.t += 1000;
    }
  });

  test("a replay of a whole burst after a reconnect passes at once", () => {
    const rate = new FrameRate(clockAt());
    for (let i = 0; i < AGENT_FRAME_RATE.frames.burst; i++) expect(rate.take(2000)).toBe(true);
  });
});
