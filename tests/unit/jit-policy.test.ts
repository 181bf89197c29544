import { describe, expect, test } from "bun:test";
import { BUSY_WINDOW_MS, QUICK_WINDOW_MS, commandOf, isBusy, LONG_RUNNING_SCALE, normalJitWhenBusy, type JitDeps } from "../../src/jit-policy";

/** A process whose CPU time the test sets, with the watcher's timer ticked by hand. */
function fakeProcess() {
  const state = { cpuMicros: 0, policies: [] as number[], tick: undefined as (() => void) | undefined, stopped: false };
  const deps: JitDeps = {
    cpuMicros: () => state.cpuMicros,
    setPolicy: (scale) => state.policies.push(scale),
    every: (ms, tick) => {
      expect(ms).toBe(QUICK_WINDOW_MS);
      state.tick = tick;
      return () => (state.stopped = true);
    },
  };
  /** Lets `ms` of wall time pass (the watcher ticks every QUICK_WINDOW_MS). */
  const pass = (ms: number) => {
    for (let t = 0; t < ms; t += QUICK_WINDOW_MS) state.tick!();
  };
  return { state, deps, pass };
}

describe("the JIT policy follows how busy ra is", () => {
  test("busy means more than half a core over the window", () => {
    expect(isBusy(0, 1000)).toBe(false);
    expect(isBusy(500_000, 1000)).toBe(false);
    expect(isBusy(500_001, 1000)).toBe(true);
  });

  test("an idle process keeps the raised thresholds; the first busy window restores the normal ones, once", () => {
    const { state, deps, pass } = fakeProcess();
    state.cpuMicros = 300_000; // starting up, before the watcher
    normalJitWhenBusy(deps);
    // The first second: starting's own work (400 ms of CPU) is not busy, even in its first 200 ms.
    state.cpuMicros += 400_000;
    pass(QUICK_WINDOW_MS);
    pass(BUSY_WINDOW_MS - QUICK_WINDOW_MS);
    expect(state.policies).toEqual([]);
    // Then each 200 ms counts: 90 ms of CPU in one is quiet, 150 ms is busy.
    state.cpuMicros += 90_000;
    pass(QUICK_WINDOW_MS);
    expect(state.policies).toEqual([]);
    state.cpuMicros += 150_000;
    pass(QUICK_WINDOW_MS);
    expect(state.policies).toEqual([1]);
    expect(state.stopped).toBe(true);
  });

  test("ra serve and ra agent raise the thresholds as they start and get the normal ones once busy; short commands keep the build's", () => {
    expect(commandOf(["serve", "--bot-token", "x"])).toBe("serve");
    expect(commandOf(["--verbose", "agent"])).toBe("agent");
    expect(commandOf(["--help"])).toBeUndefined();
    for (const command of ["serve", "agent"]) {
      const { state, deps, pass } = fakeProcess();
      normalJitWhenBusy(deps, command);
      expect(state.policies).toEqual([LONG_RUNNING_SCALE]);
      state.cpuMicros += 900_000;
      pass(BUSY_WINDOW_MS);
      expect(state.policies).toEqual([LONG_RUNNING_SCALE, 1]);
    }
    for (const command of [undefined, "pair", "status", "doctor"]) {
      const { state, deps } = fakeProcess();
      normalJitWhenBusy(deps, command);
      expect(state.policies).toEqual([]);
    }
  });
});
