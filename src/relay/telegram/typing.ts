import type { Cancel, Clock } from "../../clock";
import type { LaneJob } from "./lane";
import type { Messenger } from "./messenger";

/** Telegram shows "typing…" for at most 5 s; re-sending every 4 s keeps it on without a gap. */
export const TYPING_EVERY_MS = 4000;

/**
 * How long nothing of the turn must have changed before "typing…" says it still works. While the
 * answer streams (or a status message has just gone out) the message itself shows the progress.
 */
export const QUIET_BEFORE_TYPING_MS = 4000;

/** Telegram keeps showing "typing…" this long after the last one (of its 5 s) without a gap. */
const FRESH_MS = 1000;

export type TypingOptions = { threadId?: number; everyMs?: number; quietMs?: number; /** False while "typing…" would mislead (claude waits for the owner). */ wanted?: () => boolean };

/**
 * "typing…" for a running turn whose message shows no progress (a stall, a long tool run): only
 * after `quietMs` without `activity()`, then every `everyMs` until something shows again. It is the
 * least pressing call of its chat (it never goes ahead of a waiting message or edit) and is dropped
 * when it would come late. `stop()` ends it at once.
 */
export class TypingIndicator {
  /** The next look at whether "typing…" is due (a timer, not an awaited sleep: no AbortController per turn). */
  private next: Cancel | undefined;
  private stopped = false;
  /** One job, so a backed-up lane holds at most one "typing…" of this turn. */
  private readonly job: LaneJob;
  private shownAt = Number.NEGATIVE_INFINITY;
  private lastActivity: number;
  private readonly everyMs: number;
  private readonly quietMs: number;
  readonly threadId: number | undefined;

  constructor(
    private readonly messenger: Messenger,
    private readonly clock: Clock,
    readonly chatId: number,
    options: TypingOptions = {},
  ) {
    this.threadId = options.threadId;
    this.everyMs = options.everyMs ?? TYPING_EVERY_MS;
    this.quietMs = options.quietMs ?? QUIET_BEFORE_TYPING_MS;
    this.lastActivity = clock.now();
    const wanted = options.wanted ?? (() => true);
    // Checked again when the call is about to go: output that came meanwhile, or a round that waited
    // until shortly after the last "typing…" went out, makes it pointless.
    const due = () => this.running && wanted() && this.clock.now() - this.lastActivity >= this.quietMs && this.clock.now() - this.shownAt >= this.everyMs - FRESH_MS;
    this.job = messenger.chatActionJob(chatId, due, "typing", this.threadId, () => (this.shownAt = this.clock.now()));
    this.tick();
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Something of the turn showed (text, a tool): no "typing…" until it has been quiet again. */
  activity(): void {
    this.lastActivity = this.clock.now();
  }

  stop(): void {
    this.stopped = true;
    this.next?.();
    this.next = undefined;
  }

  private readonly tick = (): void => {
    this.next = undefined;
    if (this.stopped) return;
    const wait = Math.max(this.lastActivity + this.quietMs, this.shownAt + this.everyMs) - this.clock.now();
    if (wait <= 0) this.messenger.lane(this.chatId).push(this.job, "typing");
    this.next = this.clock.schedule(wait > 0 ? wait : this.everyMs, this.tick);
  };
}
