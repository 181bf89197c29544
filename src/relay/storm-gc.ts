import type { Cancel, Clock } from "../clock";
import type { FrameQueue } from "./frame-queue";

/** Agent frames in a row that make a storm (thousands of machines reconnecting at once). */
export const STORM_TASKS = 2000;
/** How long after a storm's last burst the relay must be quiet before it collects. */
export const QUIET_MS = 1000;

/**
 * A reconnect storm leaves the heap full of garbage that the collector frees only as new work
 * comes, so the relay would keep its peak memory. Once a storm is over and the relay has been
 * quiet for QUIET_MS, one full collection gives it back. Never during a storm: that pause would
 * land on requests waiting in the queue.
 */
export function collectAfterStorms(frames: FrameQueue, clock: Clock, collect: () => void = () => Bun.gc(true)): Cancel {
  let pending: Cancel | undefined;
  frames.afterBursts(STORM_TASKS, () => {
    pending?.();
    pending = clock.schedule(QUIET_MS, () => {
      pending = undefined;
      if (frames.size === 0) collect();
    });
  });
  return () => pending?.();
}
