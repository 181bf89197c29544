// The agent's timers on a virtual clock: the heartbeat that notices a dead link, and the
// reconnect backoff (growing, jittered, capped, reset after a welcome, cancelled on stop).
import { describe, expect, test } from "bun:test";
import { Heartbeat } from "../../src/agent/heartbeat";
import { Reconnect } from "../../src/agent/reconnect";
import { VirtualClock } from "../helpers/virtual-clock";

describe("heartbeat", () => {
  test("pings every interval while frames arrive, and declares the link dead after 2.5 silent intervals", async () => {
    const clock = new VirtualClock();
    const pings: number[] = [];
    let deadAt: number | undefined;
    const beat = new Heartbeat(clock, 10_000, () => pings.push(clock.now()), () => (deadAt = clock.now()));
    await clock.advance(10_000);
    beat.heard(); // the relay answered at 10 s
    await clock.advance(20_000);
    expect(pings).toEqual([10_000, 20_000, 30_000]);
    expect(deadAt).toBeUndefined();
    await clock.advance(10_000); // 40 s: silent since 10 s → 30 s > 25 s
    expect(deadAt).toBe(40_000);
    expect(pings).toEqual([10_000, 20_000, 30_000]);
    expect(clock.pending).toBe(0);
  });

  test("stop() ends it at once: no ping, no dead-link verdict, no timer left", async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const beat = new Heartbeat(clock, 10_000, () => calls++, () => calls++);
    beat.stop();
    await clock.advance(60_000);
    expect(calls).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe("reconnect backoff", () => {
  test("each drop waits longer (full jitter up to 500 ms · 2^n, capped at 30 s); a welcome starts over", async () => {
    const clock = new VirtualClock();
    let connects = 0;
    const reconnect = new Reconnect(clock, () => 1, () => connects++);
    const delays = Array.from({ length: 9 }, () => reconnect.later());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    // Only the last scheduled attempt is pending: one dial at a time.
    await clock.advance(30_000);
    expect(connects).toBe(1);
    reconnect.reset();
    expect(reconnect.later()).toBe(500);
  });

  test("jitter comes from the random source, never below half the base delay", () => {
    const reconnect = new Reconnect(new VirtualClock(), () => 0, () => {});
    expect(reconnect.later()).toBe(250);
    expect(reconnect.later()).toBe(250);
  });

  test("cancel() on stop: the pending attempt never dials", async () => {
    const clock = new VirtualClock();
    let connects = 0;
    const reconnect = new Reconnect(clock, () => 0.5, () => connects++);
    reconnect.later();
    reconnect.cancel();
    await clock.advance(60_000);
    expect(connects).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
