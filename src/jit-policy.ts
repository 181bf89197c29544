/**
 * The build starts ra with JavaScriptCore's tier-up thresholds ×50 (scripts/build.ts): while a
 * process mostly waits (an idle agent, a quiet relay), the code it ran to start and the little it
 * runs since stay in the interpreter, which saves the JIT's code and the compilers' pages (about
 * 5 MiB). Once it is busy (more than half a core over the first second, or over any 200 ms after
 * it: a relay taking back thousands of machines, agents streaming at once) the normal thresholds apply
 * for the rest of the run: for such bursts they save about a fifth of the CPU time.
 */
export const BUSY_WINDOW_MS = 1000;
/** After the first window, how often CPU use is judged. */
export const QUICK_WINDOW_MS = 200;
const BUSY_SHARE = 0.5;

/** Whether `cpuMicros` of CPU time (user + system) within `windowMs` of wall time is busy. */
export const isBusy = (cpuMicros: number, windowMs: number) => cpuMicros / 1000 > windowMs * BUSY_SHARE;

export type JitDeps = {
  /** CPU time this process has used so far, in microseconds. */
  cpuMicros(): number;
  setPolicy(scale: number): void;
  /** Calls `tick` every `ms` without keeping the process alive; returns a stop function. */
  every(ms: number, tick: () => void): () => void;
};

const systemDeps: JitDeps = {
  cpuMicros: () => {
    const used = process.cpuUsage();
    return used.user + used.system;
  },
  setPolicy: (scale) => Bun.unsafe.setJITPolicy(scale),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * The commands that run for days and mostly wait. They raise the thresholds further, to ×200:
 * then even the code their timers run while idle stays in the interpreter (relay and agent about
 * −0.8 MiB). The cost: a burst runs interpreted until it is noticed (×1000 saved a little more
 * memory but made the relay's first second of a burst markedly slower). Short commands keep the
 * build's ×50.
 */
const LONG_RUNNING = new Set(["serve", "agent"]);
export const LONG_RUNNING_SCALE = 200;

/** The command ra runs: the first argument that is not a flag. */
export const commandOf = (argv: readonly string[]) => argv.find((arg) => !arg.startsWith("-"));

/**
 * Raises the thresholds for a long-running command, then watches this process's CPU use and
 * restores the normal JIT policy the first time it is busy.
 */
export function normalJitWhenBusy(deps: JitDeps = systemDeps, command?: string): () => void {
  if (command !== undefined && LONG_RUNNING.has(command)) deps.setPolicy(LONG_RUNNING_SCALE);
  let before = deps.cpuMicros();
  let elapsed = 0;
  // The first window is a second long (starting takes a fifth of that, and is not busy); after
  // it, a burst gets the normal thresholds within QUICK_WINDOW_MS rather than a second later.
  let window = BUSY_WINDOW_MS;
  const stop = deps.every(QUICK_WINDOW_MS, () => {
    elapsed += QUICK_WINDOW_MS;
    if (elapsed < window) return;
    const now = deps.cpuMicros();
    if (isBusy(now - before, elapsed)) {
      stop();
      deps.setPolicy(1);
    }
    before = now;
    elapsed = 0;
    window = QUICK_WINDOW_MS;
  });
  return stop;
}
