/** The events of one key still inside a sliding window. */
export type Window = {
  /** How many. */
  count: number;
  /** When the oldest of them happened (ms), or undefined when there are none. */
  oldest?: number;
};

/**
 * What the brute-force limits count with: sliding windows of events and numbers that expire.
 * In memory for one relay (core/memory-counters.ts), in Redis when several relays must share
 * their lockouts (redis/counters.ts). Every method is one atomic step, and everything it keeps
 * expires by itself, so neither ever grows without bound.
 */
export interface Counters {
  /**
   * Records one event now under `key` and forgets those older than `windowMs`. With `resetAt`,
   * the event that makes the count reach it also empties the window, so among callers racing on
   * the same key exactly one sees the count reached.
   */
  hit(key: string, windowMs: number, resetAt?: number): Promise<Window>;
  /** The window under `key` without recording anything. */
  peek(key: string, windowMs: number): Promise<Window>;
  /** Forgets the window under `key`. */
  clear(key: string): Promise<void>;
  /** Adds one to the number under `key` (0 when missing or expired), keeps it `ttlMs` from now, returns it. */
  incr(key: string, ttlMs: number): Promise<number>;
  /** Keeps `value` under `key` for `ttlMs` from now. */
  put(key: string, value: number, ttlMs: number): Promise<void>;
  /** The number under `key`, or undefined when missing or expired. */
  get(key: string): Promise<number | undefined>;
}
