import type { RedisClient } from "bun";
import type { Clock, Cancel } from "../../clock";

// Compare-and-act in one step on the server: only the holder's token may extend or drop the lease.
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

export type LeaseOptions = {
  redis: RedisClient;
  key: string;
  /** Who holds it when held (unique per holder: an instance id plus a random part). */
  token: string;
  /** How long the lease outlives its holder's last renewal: a dead holder's lease is free after this. */
  ttlMs: number;
  clock: Clock;
};

/**
 * A lease in Redis that at most one holder has at a time (SET NX PX): the polling leader, the one
 * sender of a chat. A holder renews it at a third of its lifetime; a renewal that fails (another
 * took over, or Redis was unreachable for longer than the lease) means it is lost, and the holder
 * must stop acting on it at once.
 */
export class Lease {
  private held = false;
  private cancelRenew: Cancel | undefined;
  private lostHandlers: (() => void)[] = [];

  constructor(private readonly options: LeaseOptions) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Returns the function that stops listening. */
  onLost(handler: () => void): () => void {
    this.lostHandlers.push(handler);
    return () => {
      this.lostHandlers = this.lostHandlers.filter((h) => h !== handler);
    };
  }

  /** Takes the lease if it is free (true), or finds it held by someone else (false). */
  async tryAcquire(): Promise<boolean> {
    const { redis, key, token, ttlMs } = this.options;
    if (this.held) return this.renew();
    const set = await redis.send("SET", [key, token, "NX", "PX", String(ttlMs)]);
    if (set !== "OK") return false;
    this.held = true;
    this.scheduleRenew();
    return true;
  }

  /** Tries every `everyMs` until it holds the lease or `signal` aborts (false). */
  async acquire(everyMs: number, signal?: AbortSignal): Promise<boolean> {
    while (!signal?.aborted) {
      try {
        if (await this.tryAcquire()) return true;
      } catch {
        // Redis unreachable: nobody can be granted the lease meanwhile; keep asking.
      }
      await this.options.clock.sleep(everyMs, signal);
    }
    return false;
  }

  async release(): Promise<void> {
    this.cancelRenew?.();
    this.cancelRenew = undefined;
    if (!this.held) return;
    this.held = false;
    await this.options.redis.send("EVAL", [RELEASE, "1", this.options.key, this.options.token]).catch(() => {});
  }

  /** Extends the lease now; false (and lost) when another holds it or Redis cannot be reached in time. */
  async renew(): Promise<boolean> {
    if (!this.held) return false;
    const { redis, key, token, ttlMs } = this.options;
    let ok = false;
    try {
      ok = (await redis.send("EVAL", [RENEW, "1", key, token, String(ttlMs)])) === 1;
    } catch {
      ok = false;
    }
    if (!ok && this.held) this.lose();
    return ok;
  }

  private scheduleRenew(): void {
    this.cancelRenew?.();
    this.cancelRenew = this.options.clock.schedule(Math.max(1, Math.floor(this.options.ttlMs / 3)), () => {
      void this.renew().then((ok) => ok && this.held && this.scheduleRenew());
    });
  }

  private lose(): void {
    this.held = false;
    this.cancelRenew?.();
    this.cancelRenew = undefined;
    for (const handler of this.lostHandlers) handler();
  }
}
