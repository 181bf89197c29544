import type { Clock } from "../../clock";
import type { Counters, Window } from "./counters";

/** Keys remembered at most (a flood of fresh keys, like client addresses, forgets the oldest, never grows memory). */
const MAX_KEYS = 10_000;

type Entry = { times: number[]; expiresAt: number } | { value: number; expiresAt: number };

/** Counters in this process's memory: one relay's limits (the default, without --redis). */
export class MemoryCounters implements Counters {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  async hit(key: string, windowMs: number, resetAt?: number): Promise<Window> {
    const now = this.clock.now();
    const times = this.recent(key, windowMs);
    times.push(now);
    const window = { count: times.length, oldest: times[0] };
    this.entries.delete(key);
    if (resetAt === undefined || times.length < resetAt) this.keep(key, { times, expiresAt: now + windowMs });
    return window;
  }

  async peek(key: string, windowMs: number): Promise<Window> {
    const times = this.recent(key, windowMs);
    return { count: times.length, oldest: times[0] };
  }

  async clear(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const value = ((await this.get(key)) ?? 0) + 1;
    await this.put(key, value, ttlMs);
    return value;
  }

  async put(key: string, value: number, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.keep(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  async get(key: string): Promise<number | undefined> {
    const entry = this.live(key);
    return entry && "value" in entry ? entry.value : undefined;
  }

  private recent(key: string, windowMs: number): number[] {
    const entry = this.live(key);
    const since = this.clock.now() - windowMs;
    return entry && "times" in entry ? entry.times.filter((at) => at > since) : [];
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private keep(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }
}
