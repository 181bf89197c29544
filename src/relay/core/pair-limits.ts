import type { Clock } from "../../clock";

const WINDOW_MS = 10 * 60_000;
const USER_FAILURES = 5;
const GLOBAL_FAILURES = 20;
const FIRST_LOCK_MS = 15 * 60_000;
const MAX_LOCK_MS = 24 * 60 * 60_000;
const GLOBAL_PAUSE_MS = 15 * 60_000;

/**
 * Brute-force brakes on code redemption (numbers from RFC 8628's arithmetic): 5 wrong codes in
 * 10 minutes lock that user out of pairing for 15 minutes, doubling up to 24 hours; 20 wrong
 * codes across everyone pause pairing for 15 minutes.
 */
export class PairLimits {
  private failures = new Map<number, number[]>();
  private locks = new Map<number, { until: number; count: number }>();
  private global: number[] = [];
  private pausedUntil = 0;

  constructor(private readonly clock: Clock) {}

  /** Why this user may not redeem now, or null. */
  blocked(userId: number): { reason: "locked" | "paused"; until: number } | null {
    const now = this.clock.now();
    const lock = this.locks.get(userId);
    if (lock && lock.until > now) return { reason: "locked", until: lock.until };
    if (this.pausedUntil > now) return { reason: "paused", until: this.pausedUntil };
    return null;
  }

  /** Records a wrong code; says whether that just locked the user or paused pairing for everyone. */
  fail(userId: number): { locked?: number; paused?: number } {
    const now = this.clock.now();
    const recent = (this.failures.get(userId) ?? []).filter((t) => now - t < WINDOW_MS);
    recent.push(now);
    this.failures.set(userId, recent);
    this.global = this.global.filter((t) => now - t < WINDOW_MS);
    this.global.push(now);
    const result: { locked?: number; paused?: number } = {};
    if (recent.length >= USER_FAILURES) {
      const count = (this.locks.get(userId)?.count ?? 0) + 1;
      const until = now + Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (count - 1));
      this.locks.set(userId, { until, count });
      this.failures.set(userId, []);
      result.locked = until;
    }
    if (this.global.length >= GLOBAL_FAILURES) {
      this.pausedUntil = now + GLOBAL_PAUSE_MS;
      this.global = [];
      result.paused = this.pausedUntil;
    }
    return result;
  }

  /** A successful pairing forgives the user's earlier mistakes (the lock level stays). */
  succeed(userId: number): void {
    this.failures.delete(userId);
  }
}
