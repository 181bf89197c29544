import { GrammyError } from "grammy";
import type { Clock } from "../../clock";
import type { Log } from "../../log";

/** A unit of work that makes exactly one Bot API call; "again" asks to be run once more later. */
export type LaneJob = () => Promise<"done" | "again">;

/**
 * Serialises every Bot API call to one chat: one request in flight, at least `intervalMs` between
 * requests, and on a 429 the whole chat pauses for `retry_after` before the same job runs again.
 * Jobs re-read the latest state when they run, so intermediate states are dropped, not queued.
 */
export class ChatLane {
  private jobs: LaneJob[] = [];
  private running = false;
  private nextAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly log: Log,
  ) {}

  /** Adds a job unless the very same job is already waiting (coalesces live-message syncs). */
  push(job: LaneJob, urgent = false): void {
    if (!this.jobs.includes(job)) {
      if (urgent) this.jobs.unshift(job);
      else this.jobs.push(job);
    }
    if (!this.running) void this.drain();
  }

  get idle(): boolean {
    return !this.running && this.jobs.length === 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.jobs.length > 0) {
        const wait = this.nextAt - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        const job = this.jobs.shift()!;
        let outcome: "done" | "again" = "done";
        try {
          outcome = await job();
          this.nextAt = this.clock.now() + this.intervalMs;
        } catch (err) {
          const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
          if (retryAfter !== undefined) {
            this.log.warn(`Telegram asked to slow down: pausing this chat for ${retryAfter}s`);
            this.nextAt = this.clock.now() + retryAfter * 1000;
            this.jobs.unshift(job);
            continue;
          }
          this.nextAt = this.clock.now() + this.intervalMs;
          this.log.error(`Telegram call failed: ${(err as Error).message}`);
        }
        if (outcome === "again" && !this.jobs.includes(job)) this.jobs.push(job);
      }
    } finally {
      this.running = false;
    }
  }
}
