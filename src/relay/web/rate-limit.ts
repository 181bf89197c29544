import type { Clock } from "../../clock";
import type { Counters } from "../core/counters";
import { MemoryCounters } from "../core/memory-counters";

/**
 * Failed sign-in attempts per client address: after `max` failures within `windowMs` the address
 * is refused until the oldest failure leaves the window. Successes cost nothing. Counted in
 * `counters`: this relay's memory (at most 10,000 addresses, the oldest forgotten first), or Redis
 * shared by several relays.
 */
export class FailureLimit {
  constructor(
    private readonly clock: Clock,
    private readonly counters: Counters = new MemoryCounters(clock),
    private readonly max = 10,
    private readonly windowMs = 10 * 60_000,
  ) {}

  /** Milliseconds until this address may try again; 0 when it may now. */
  async retryAfter(address: string): Promise<number> {
    const recent = await this.counters.peek(key(address), this.windowMs);
    return recent.count < this.max ? 0 : recent.oldest! + this.windowMs - this.clock.now();
  }

  async failed(address: string): Promise<void> {
    await this.counters.hit(key(address), this.windowMs);
  }
}

const key = (address: string) => `web:fail:${address}`;
