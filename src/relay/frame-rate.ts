import type { Clock } from "../clock";

type Bucket = { perSecond: number; burst: number };

/**
 * Per agent connection. The burst is large because an agent that was offline replays everything
 * the relay did not acknowledge at once after reconnecting; a sustained flood still runs dry.
 */
export const AGENT_FRAME_RATE = { frames: { perSecond: 1000, burst: 20_000 }, bytes: { perSecond: 4 << 20, burst: 64 << 20 } } as const;

/**
 * Token buckets for one WebSocket connection, one for frames and one for bytes: each frame takes
 * one token and its size, tokens come back at `perSecond` up to `burst`. A connection that runs dry
 * is closed; nobody else is affected, and an agent loses nothing by it (whatever was not
 * acknowledged is sent again after the reconnect).
 */
export class FrameRate {
  private frames: number;
  private bytes: number;
  private last: number;

  constructor(
    private readonly clock: Pick<Clock, "now">,
    private readonly limits: { frames: Bucket; bytes: Bucket } = AGENT_FRAME_RATE,
  ) {
    this.frames = limits.frames.burst;
    this.bytes = limits.bytes.burst;
    this.last = clock.now();
  }

  take(size: number): boolean {
    const now = this.clock.now();
    const seconds = (now - this.last) / 1000;
    this.last = now;
    this.frames = Math.min(this.limits.frames.burst, this.frames + seconds * this.limits.frames.perSecond);
    this.bytes = Math.min(this.limits.bytes.burst, this.bytes + seconds * this.limits.bytes.perSecond);
    if (this.frames < 1 || this.bytes < size) return false;
    this.frames -= 1;
    this.bytes -= size;
    return true;
  }
}
