import type { Cancel, Clock } from "../clock";
import { backoffDelay } from "./backoff";

/**
 * When to dial the relay again: exponential backoff with full jitter, reset once the relay
 * welcomed us; one pending attempt at a time, cancelled when the agent stops. Runs on the clock.
 */
export class Reconnect {
  private attempt = 0;
  private cancelPending: Cancel = () => {};

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly connect: () => void,
  ) {}

  /** Schedules the next attempt with the backoff delay; returns the delay in ms. */
  later(): number {
    return this.after(backoffDelay(this.attempt++, this.random));
  }

  /** Schedules the next attempt after exactly `ms` (the relay said when). */
  after(ms: number): number {
    this.cancelPending();
    this.cancelPending = this.clock.schedule(ms, this.connect);
    return ms;
  }

  /** Connected and welcomed: the next drop starts from the shortest delay again. */
  reset(): void {
    this.attempt = 0;
  }

  cancel(): void {
    this.cancelPending();
  }
}
