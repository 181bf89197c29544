import type { Clock } from "../../src/clock";

type Timer = { at: number; seq: number; resolve: () => void };

/**
 * A clock that only moves when the test says so: `sleep` waits until `advance` passes its time,
 * so loops that re-arm themselves (typing, tickers, lanes) run exactly as often as they would.
 */
export class VirtualClock implements Clock {
  t = 0;
  private timers: Timer[] = [];
  private seq = 0;

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      }, { once: true });
    });
  }

  schedule(ms: number, fn: () => void): () => void {
    const controller = new AbortController();
    void this.sleep(ms, controller.signal).then(() => {
      if (!controller.signal.aborted) fn();
    });
    return () => controller.abort();
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** When the earliest waiting timer is due (undefined: none waits). */
  get nextAt(): number | undefined {
    return this.timers.reduce<number | undefined>((min, x) => (min === undefined || x.at < min ? x.at : min), undefined);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their follow-ups run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
      await settle();
    }
    this.t = target;
    await settle();
  }
}

/** Lets pending promise chains (and immediate callbacks) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
