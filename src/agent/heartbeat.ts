import type { Cancel, Clock } from "../clock";

/**
 * Pings the relay every `everyMs`; a link that has been silent (no frame at all) for 2.5 times
 * that is dead, and `onDead` closes it so the agent reconnects. Runs on the clock.
 */
export class Heartbeat {
  private lastHeard: number;
  private cancel: Cancel = () => {};
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly onPing: () => void,
    private readonly onDead: () => void,
  ) {
    this.lastHeard = clock.now();
    this.arm();
  }

  /** Any frame from the relay counts as a sign of life. */
  heard(): void {
    this.lastHeard = this.clock.now();
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private arm(): void {
    this.cancel = this.clock.schedule(this.everyMs, () => {
      if (this.stopped) return;
      if (this.clock.now() - this.lastHeard > this.everyMs * 2.5) {
        this.stopped = true;
        this.onDead();
        return;
      }
      this.onPing();
      this.arm();
    });
  }
}
