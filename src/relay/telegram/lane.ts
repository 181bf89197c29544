import { GrammyError, HttpError } from "grammy";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { inLane } from "./retry-after";

/** Retries of one call after 5xx or network errors (1 s doubling to 30 s: about 4 minutes in all). */
const MAX_ATTEMPTS = 12;

/**
 * A unit of work that makes exactly one Bot API call; "again" asks to be run once more later.
 * Thrown 429s and transient errors (5xx, network) are retried by the lane; on its `lastChance`
 * a job must settle its own failure instead of throwing. "skipped": it made no call after all, so
 * the next job need not wait the interval.
 */
export type LaneJob = (lastChance: boolean) => Promise<"done" | "again" | "skipped">;

export const isTransient = (err: unknown) => err instanceof HttpError || (err instanceof GrammyError && err.error_code >= 500);

/**
 * Serialises every Bot API call to one chat: one request in flight, at least `intervalMs` between
 * requests, and on a 429 the whole chat pauses for `retry_after` before the same job runs again.
 * Jobs re-read the latest state when they run, so intermediate states are dropped, not queued.
 */
export class ChatLane {
  private jobs: LaneJob[] = [];
  /** Failed attempts of jobs that hit a server or network error, for their backoff. */
  private attempts = new Map<LaneJob, number>();
  private running = false;
  private nextAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly log: Log,
    /** A pause of this chat learnt elsewhere (a 429 on a call outside the lane). */
    private readonly pausedUntil: () => number = () => 0,
  ) {}

  /** Adds a job unless the very same job is already waiting (coalesces live-message syncs). */
  push(job: LaneJob, urgent = false): void {
    if (!this.jobs.includes(job)) {
      if (urgent) this.jobs.unshift(job);
      else this.jobs.push(job);
    }
    if (!this.running) void this.drain();
  }

  /** Jobs waiting behind the one running. */
  get waiting(): number {
    return this.jobs.length;
  }

  get idle(): boolean {
    return !this.running && this.jobs.length === 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.jobs.length > 0) {
        let wait = Math.max(this.nextAt, this.pausedUntil()) - this.clock.now();
        while (wait > 0) {
          await this.clock.sleep(wait);
          wait = Math.max(this.nextAt, this.pausedUntil()) - this.clock.now();
        }
        const job = this.jobs.shift()!;
        let outcome: "done" | "again" | "skipped" = "done";
        try {
          const lastChance = (this.attempts.get(job) ?? 0) >= MAX_ATTEMPTS;
          outcome = await inLane.run(true, () => job(lastChance));
          if (outcome !== "skipped") this.nextAt = this.clock.now() + this.intervalMs;
        } catch (err) {
          const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
          if (retryAfter !== undefined) {
            this.log.warn(`Telegram asked to slow down: pausing this chat for ${retryAfter}s`);
            this.nextAt = this.clock.now() + retryAfter * 1000;
            this.jobs.unshift(job);
            continue;
          }
          const transient = isTransient(err);
          const attempt = (this.attempts.get(job) ?? 0) + 1;
          if (transient && attempt <= MAX_ATTEMPTS) {
            const delay = Math.min(30_000, 1000 * 2 ** (attempt - 1));
            this.log.warn(`Telegram is unavailable (${(err as Error).message}); retrying in ${delay / 1000} s`);
            this.attempts.set(job, attempt);
            this.nextAt = this.clock.now() + delay;
            this.jobs.unshift(job);
            continue;
          }
          this.attempts.delete(job);
          this.nextAt = this.clock.now() + this.intervalMs;
          this.log.error(`Telegram call failed: ${(err as Error).message}`);
          continue;
        }
        this.attempts.delete(job);
        if (outcome === "again" && !this.jobs.includes(job)) this.jobs.push(job);
      }
    } finally {
      this.running = false;
    }
  }
}
