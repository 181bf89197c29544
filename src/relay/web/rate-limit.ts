import type { Clock } from "../../clock";

/** Addresses remembered at most (a flood of fresh addresses forgets the oldest, never grows memory). */
const MAX_ADDRESSES = 10_000;

/**
 * Failed sign-in attempts per client address: after `max` failures within `windowMs` the address
 * is refused until the oldest failure leaves the window. Successes cost nothing.
 */
export class FailureLimit {
  private failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly max = 10,
    private readonly windowMs = 10 * 60_000,
  ) {}

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const recent = this.recent(address);
    return recent.length < this.max ? 0 : recent[0]! + this.windowMs - this.clock.now();
  }

  failed(address: string): void {
    const recent = this.recent(address);
    recent.push(this.clock.now());
    this.failures.delete(address);
    this.failures.set(address, recent);
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(address: string): number[] {
    const since = this.clock.now() - this.windowMs;
    return (this.failures.get(address) ?? []).filter((at) => at > since);
  }
}
