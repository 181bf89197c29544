import type { Clock } from "../clock";

/** Per agent connection: bursts (a replay after a reconnect) pass, a sustained flood does not. */
export const AGENT_FRAME_RATE = { perSecond: 500, burst: 2000 } as const;

/**
 * A token bucket for one WebSocket connection: each frame takes a token, tokens come back at
 * `perSecond` up to `burst`. A connection that runs dry is closed; nobody else is affected, and an
 * agent loses nothing by it (whatever was not acknowledged is sent again after the reconnect).
 */
export class FrameRate {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly limits: { perSecond: number; burst: number } = AGENT_FRAME_RATE,
  ) {
    this.tokens = limits.burst;
    this.last = clock.now();
  }

  take(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.last) / 1000) * this.limits.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
