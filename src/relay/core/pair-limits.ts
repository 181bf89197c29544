import type { Clock } from "../../clock";
import type { Counters } from "./counters";
import { MemoryCounters } from "./memory-counters";

const WINDOW_MS = 10 * 60_000;
const USER_FAILURES = 5;
const GLOBAL_FAILURES = 20;
const FIRST_LOCK_MS = 15 * 60_000;
const MAX_LOCK_MS = 24 * 60 * 60_000;
const GLOBAL_PAUSE_MS = 15 * 60_000;
/** How long a user's lock level (how often they were locked) is remembered after their latest lock began. */
const LEVEL_KEPT_MS = 2 * MAX_LOCK_MS;

const failures = (userId: number) => `pair:fail:${userId}`;
const lock = (userId: number) => `pair:lock:${userId}`;
const level = (userId: number) => `pair:level:${userId}`;
const GLOBAL = "pair:fail:all";
const PAUSED = "pair:paused";

/**
 * Brute-force brakes on code redemption (numbers from RFC 8628's arithmetic): 5 wrong codes in
 * 10 minutes lock that user out of pairing for 15 minutes, doubling up to 24 hours; 20 wrong
 * codes across everyone pause pairing for 15 minutes. Counted in `counters`: this relay's memory,
 * or Redis shared by several relays (then 5 wrong codes spread over them lock the user on all).
 */
export class PairLimits {
  constructor(
    private readonly clock: Clock,
    private readonly counters: Counters = new MemoryCounters(clock),
  ) {}

  /** Why this user may not redeem now, or null. */
  async blocked(userId: number): Promise<{ reason: "locked" | "paused"; until: number } | null> {
    const [lockedUntil, pausedUntil] = await Promise.all([this.counters.get(lock(userId)), this.counters.get(PAUSED)]);
    const now = this.clock.now();
    if (lockedUntil !== undefined && lockedUntil > now) return { reason: "locked", until: lockedUntil };
    if (pausedUntil !== undefined && pausedUntil > now) return { reason: "paused", until: pausedUntil };
    return null;
  }

  /** Records a wrong code; says whether that just locked the user or paused pairing for everyone. */
  async fail(userId: number): Promise<{ locked?: number; paused?: number }> {
    const [mine, everyone] = await Promise.all([
      this.counters.hit(failures(userId), WINDOW_MS, USER_FAILURES),
      this.counters.hit(GLOBAL, WINDOW_MS, GLOBAL_FAILURES),
    ]);
    const now = this.clock.now();
    const result: { locked?: number; paused?: number } = {};
    if (mine.count >= USER_FAILURES) {
      const count = await this.counters.incr(level(userId), LEVEL_KEPT_MS);
      const length = Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (count - 1));
      await this.counters.put(lock(userId), now + length, length);
      result.locked = now + length;
    }
    if (everyone.count >= GLOBAL_FAILURES) {
      await this.counters.put(PAUSED, now + GLOBAL_PAUSE_MS, GLOBAL_PAUSE_MS);
      result.paused = now + GLOBAL_PAUSE_MS;
    }
    return result;
  }

  /** A successful pairing forgives the user's earlier mistakes (the lock level stays). */
  async succeed(userId: number): Promise<void> {
    await this.counters.clear(failures(userId));
  }
}
