import type { Transformer } from "grammy";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { LANE_CALL } from "./lane";

/** Direct calls retried after a 429 before the error is passed on. */
const DIRECT_ATTEMPTS = 3;

/**
 * Every 429 from Telegram is honoured, whoever made the call. The chat's pause (retry_after) is
 * recorded so its lane waits it out too; a call made outside a lane (a button answer, a command
 * menu, a refusal) first waits for its chat's pause, and after a 429 waits retry_after and tries
 * again. Lane calls get the error back: the lane pauses the chat and runs the job again.
 */
export class RetryAfter {
  private until = new Map<number, number>();
  /** Pause of calls without a chat (answerCallbackQuery, setMyCommands…). */
  private globalUntil = 0;

  constructor(
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  /** Until when the chat must not be written to (0 when it may). */
  pausedUntil(chatId: number): number {
    return this.until.get(chatId) ?? 0;
  }

  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    const chatId = typeof (payload as { chat_id?: unknown }).chat_id === "number" ? ((payload as { chat_id: number }).chat_id) : undefined;
    const laneCall = signal === LANE_CALL;
    for (let attempt = 1; ; attempt++) {
      if (!laneCall) {
        const wait = (chatId === undefined ? this.globalUntil : this.pausedUntil(chatId)) - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait, signal as AbortSignal | undefined);
      }
      const result = await prev(method, payload, signal);
      const retryAfter = !result.ok ? result.parameters?.retry_after : undefined;
      if (retryAfter === undefined) return result;
      const until = this.clock.now() + retryAfter * 1000;
      if (chatId === undefined) this.globalUntil = Math.max(this.globalUntil, until);
      else this.until.set(chatId, Math.max(this.pausedUntil(chatId), until));
      if (laneCall || attempt >= DIRECT_ATTEMPTS || signal?.aborted) return result;
      this.log.warn(`Telegram asked to slow down (${method}): retrying in ${retryAfter}s`);
    }
  };
}
