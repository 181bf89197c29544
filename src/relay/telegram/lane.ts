import { GrammyError, HttpError, type Api } from "grammy";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { localGate, localPass, type ChatGate, type ChatPass } from "./chat-gate";
import { LaneQueue, type Priority } from "./lane-queue";

/** Retries of one call after 5xx or network errors (1 s doubling to 30 s: about 4 minutes in all). */
const MAX_ATTEMPTS = 12;


/**
 * A unit of work that makes exactly one Bot API call; "again" asks to be run once more later.
 * Thrown 429s and transient errors (5xx, network) are retried by the lane; on its `lastChance`
 * a job must settle its own failure instead of throwing. "skipped": it made no call after all, so
 * the next job need not wait the interval.
 */
export type LaneJob = (lastChance: boolean) => Promise<"done" | "again" | "skipped">;

export type { Priority } from "./lane-queue";

/**
 * The AbortSignal every Bot API call made by a lane job carries (it never aborts): it tells
 * RetryAfter that the lane owns the timing of the call, so a 429 comes back to the lane instead of
 * being waited out and retried where it was made.
 */
export const LANE_CALL = new AbortController().signal as NonNullable<Parameters<Api["sendMessage"]>[3]>;

export const isTransient = (err: unknown) => err instanceof HttpError || (err instanceof GrammyError && err.error_code >= 500);

/** Telegram's limit for one chat: about one call a second (edits and chat actions count like sends). */
export const CHAT_LIMIT_MS = 1000;
/** …and in a group, 20 a minute. */
export const GROUP_LIMIT_MS = 3000;

/**
 * The one outbound scheduler of a chat: one request in flight, the most pressing job first (see
 * Priority), and on a 429 the whole chat pauses for `retry_after` before the same job runs again.
 * Two gaps, each counted from the end of the previous call: every call waits Telegram's limit for
 * the chat (one a second, in a group one every 3 s), so a new message, a card, or the first words
 * edited into a status message are not held a whole edit interval; an edit that follows an edit (a
 * streaming answer) waits at least `editIntervalMs`. An edit interval under one second (tests)
 * paces every call by it instead. Jobs re-read the latest state when they run, so intermediate
 * states are dropped, not queued.
 *
 * Every call is made through the chat's ChatGate: with several relay instances it waits until no
 * other instance is calling the chat and the chat's shared floor (the end of anyone's last call
 * plus Telegram's gap, a 429's deadline) has passed, and records the next floor after the call.
 * The gaps between this lane's own calls (the edit interval) stay the lane's own.
 */
export class ChatLane {
  private jobs = new LaneQueue<LaneJob>();
  /** Failed attempts of jobs that hit a server or network error, for their backoff. */
  private attempts = new Map<LaneJob, number>();
  private running = false;
  /** The last call made: when it ended and what it was. */
  private last: { at: number; priority: Priority } | undefined;
  /** No call before this (a 429's retry_after, a backoff after a server error). */
  private holdUntil = 0;
  /** Wakes the drain loop early when a more pressing job arrives while it waits. */
  private wake: AbortController | undefined;
  /** Tries through the gate that failed in a row (its shared store unreachable). */
  private gateFailures = 0;
  private readonly gapMs: number;
  private readonly editGapMs: number;

  constructor(
    private readonly clock: Clock,
    editIntervalMs: number,
    private readonly log: Log,
    /** A pause of this chat learnt elsewhere (a 429 on a call outside the lane). */
    private readonly pausedUntil: () => number = () => 0,
    group = false,
    private readonly gate: ChatGate = localGate,
  ) {
    this.gapMs = editIntervalMs < CHAT_LIMIT_MS ? editIntervalMs : group ? GROUP_LIMIT_MS : CHAT_LIMIT_MS;
    this.editGapMs = Math.max(editIntervalMs, this.gapMs);
  }

  /**
   * Adds a job behind every job of the same or a more pressing priority. The very same job already
   * waiting is not added twice (live-message syncs coalesce); asked again more urgently, it moves up.
   */
  push(job: LaneJob, priority: Priority = "message"): void {
    const head = this.jobs.first();
    this.jobs.push(job, priority);
    if (!this.running) void this.drain();
    else if (this.jobs.first() !== head) this.wake?.abort();
  }

  /** Jobs waiting behind the one running. */
  get waiting(): number {
    return this.jobs.length;
  }

  get idle(): boolean {
    return !this.running && this.jobs.length === 0;
  }

  /** When a job of this priority may call Telegram. */
  private dueAt(priority: Priority): number {
    const gap = priority === "edit" && this.last?.priority === "edit" ? this.editGapMs : this.gapMs;
    return Math.max(this.holdUntil, this.pausedUntil(), this.last ? this.last.at + gap : 0);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.jobs.length > 0) {
        const wait = this.dueAt(this.jobs.first()!.priority) - this.clock.now();
        if (wait > 0) {
          // Woken early when a more pressing job (with a shorter gap) arrives; then look again.
          this.wake = new AbortController();
          await this.clock.sleep(wait, this.wake.signal);
          this.wake = undefined;
          continue;
        }
        const entering = this.enter();
        const pass = entering instanceof Promise ? await entering : entering;
        if (this.dueAt(this.jobs.first()!.priority) > this.clock.now()) {
          // Held meanwhile (a pause learnt from a call outside the lane): no call yet.
          const left = this.leave(pass, undefined);
          if (left) await left;
          continue;
        }
        const entry = this.jobs.shift()!;
        const { job } = entry;
        let outcome: "done" | "again" | "skipped" = "done";
        /** The shared floor after this call: its end plus Telegram's gap, or a 429's deadline. */
        let nextAt: number | undefined;
        try {
          const lastChance = (this.attempts.get(job) ?? 0) >= MAX_ATTEMPTS;
          outcome = await job(lastChance);
          if (outcome !== "skipped") {
            this.last = { at: this.clock.now(), priority: entry.priority };
            nextAt = this.last.at + this.gapMs;
          }
        } catch (err) {
          nextAt = this.clock.now() + this.gapMs;
          const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
          if (retryAfter !== undefined) {
            this.log.warn(`Telegram asked to slow down: pausing this chat for ${retryAfter}s`);
            this.holdUntil = this.clock.now() + retryAfter * 1000;
            nextAt = this.holdUntil;
            this.jobs.requeue(entry);
            continue;
          }
          const transient = isTransient(err);
          const attempt = (this.attempts.get(job) ?? 0) + 1;
          if (transient && attempt <= MAX_ATTEMPTS) {
            const delay = Math.min(30_000, 1000 * 2 ** (attempt - 1));
            this.log.warn(`Telegram is unavailable (${(err as Error).message}); retrying in ${delay / 1000} s`);
            this.attempts.set(job, attempt);
            this.holdUntil = this.clock.now() + delay;
            this.jobs.requeue(entry);
            continue;
          }
          this.attempts.delete(job);
          this.last = { at: this.clock.now(), priority: entry.priority };
          this.log.error(`Telegram call failed: ${(err as Error).message}`);
          continue;
        } finally {
          const left = this.leave(pass, nextAt);
          if (left) await left;
        }
        this.attempts.delete(job);
        if (outcome === "again") this.push(job, entry.priority);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Passes the chat's gate (this lane's own pacing alone when the gate cannot tell).
   * The local gate answers at once, so it adds no await and the lane's timing stays as it was.
   */
  private enter(): ChatPass | Promise<ChatPass> {
    let entered: ChatPass | Promise<ChatPass>;
    try {
      entered = this.gate.enter();
    } catch (err) {
      return this.gateFailed(err);
    }
    if (!(entered instanceof Promise)) return this.gatePassed(entered);
    return entered.then((pass) => this.gatePassed(pass), (err) => this.gateFailed(err));
  }

  private gatePassed(pass: ChatPass): ChatPass {
    if (this.gateFailures > 0) this.log.info("this chat's calls take turns with the other relays again");
    this.gateFailures = 0;
    return pass;
  }

  /**
   * The shared gate cannot tell (Redis unreachable): the call goes out paced by this lane alone, as
   * one relay paces a chat, rather than leave the owner without answers (or without the very
   * message saying what is wrong). Told once per outage.
   */
  private gateFailed(err: unknown): ChatPass {
    if (this.gateFailures++ === 0) this.log.warn(`${(err as Error).message}; until it is back this relay paces the chat alone`);
    return localPass;
  }

  /** Synchronous for the local gate (no await); a gate that fails to record it must not stop the lane. */
  private leave(pass: ChatPass, nextAt: number | undefined): void | Promise<void> {
    try {
      const left = pass.leave(nextAt);
      if (left instanceof Promise) return left.catch((err) => this.log.warn(`could not record this chat's next call: ${(err as Error).message}`));
    } catch (err) {
      this.log.warn(`could not record this chat's next call: ${(err as Error).message}`);
    }
  }
}
