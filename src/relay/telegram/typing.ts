import type { Clock } from "../../clock";
import type { LaneJob, Priority } from "./lane";
import type { Messenger } from "./messenger";

/** Telegram shows "typing…" for at most 5 s; re-sending every 4 s keeps it on without a gap. */
export const TYPING_EVERY_MS = 4000;

/** Telegram keeps showing "typing…" this long after the last one (of its 5 s) without a gap. */
const FRESH_MS = 1000;

/** Keeps "typing…" alive in a chat (or topic) while a turn runs; `stop()` ends it at once. */
export class TypingIndicator {
  private readonly abort = new AbortController();
  /** One job, so a backed-up lane holds at most one "typing…" of this turn. */
  private readonly job: LaneJob;
  private shownAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly messenger: Messenger,
    private readonly clock: Clock,
    readonly chatId: number,
    readonly threadId?: number,
    private readonly everyMs = TYPING_EVERY_MS,
  ) {
    // A round that waited behind other calls until shortly after the last "typing…" went out adds nothing.
    this.job = messenger.chatActionJob(chatId, () => this.running && this.clock.now() - this.shownAt >= everyMs - FRESH_MS, "typing", threadId, () => (this.shownAt = this.clock.now()));
    void this.loop();
  }

  get running(): boolean {
    return !this.abort.signal.aborted;
  }

  stop(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    const { signal } = this.abort;
    // The turn's first "typing…" waits its turn like a message, so it shows before the answer does;
    // after that it runs only when nothing else waits for the chat (a message or edit shows progress better).
    let priority: Priority = "message";
    while (!signal.aborted) {
      this.messenger.lane(this.chatId).push(this.job, priority);
      priority = "typing";
      await this.clock.sleep(this.everyMs, signal);
    }
  }
}
