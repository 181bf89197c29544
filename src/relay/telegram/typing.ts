import type { Clock } from "../../clock";
import type { LaneJob } from "./lane";
import type { Messenger } from "./messenger";

/** Telegram shows "typing…" for at most 5 s; re-sending every 4 s keeps it on without a gap. */
export const TYPING_EVERY_MS = 4000;

/** Keeps "typing…" alive in a chat (or topic) while a turn runs; `stop()` ends it at once. */
export class TypingIndicator {
  private readonly abort = new AbortController();
  /** One job, so a backed-up lane holds at most one "typing…" of this turn. */
  private readonly job: LaneJob;

  constructor(
    private readonly messenger: Messenger,
    private readonly clock: Clock,
    readonly chatId: number,
    readonly threadId?: number,
    private readonly everyMs = TYPING_EVERY_MS,
  ) {
    this.job = messenger.chatActionJob(chatId, () => this.running, "typing", threadId);
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
    while (!signal.aborted) {
      this.messenger.lane(this.chatId).push(this.job);
      await this.clock.sleep(this.everyMs, signal);
    }
  }
}
