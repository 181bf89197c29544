/**
 * Telegram's documented flood limits (Bot FAQ, see /work/shared/reference/telegram.md §1.3), applied
 * strictly, for simulations (unit tests on a virtual clock, the fake Bot API on real time): in one
 * chat no more than one call per second (edits and chat actions count like sends, bursts are not
 * allowed at all); in a group no more than 20 a minute; at most 30 calls a second over all chats.
 * A call over a limit is answered with a 429 and `retry_after`, and does not count.
 */
export class DocumentedLimits {
  constructor(private readonly retryAfterSeconds = 5) {}

  private lastInChat = new Map<number, number>();
  private groupCalls = new Map<number, number[]>();
  private all: number[] = [];
  readonly rejected: { method: string; chatId: number; at: number; why: string }[] = [];

  /** Undefined when the call is within the limits; otherwise the 429 body Telegram would send. */
  check(method: string, chatId: number | undefined, at: number): { ok: false; error_code: 429; description: string; parameters: { retry_after: number } } | undefined {
    const why = this.violation(chatId, at);
    if (!why) {
      this.all = [...this.all.filter((t) => t > at - 1000), at];
      if (chatId !== undefined) {
        this.lastInChat.set(chatId, at);
        if (chatId < 0) this.groupCalls.set(chatId, [...(this.groupCalls.get(chatId) ?? []).filter((t) => t > at - 60_000), at]);
      }
      return undefined;
    }
    this.rejected.push({ method, chatId: chatId ?? 0, at, why });
    return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${this.retryAfterSeconds}`, parameters: { retry_after: this.retryAfterSeconds } };
  }

  private violation(chatId: number | undefined, at: number): string | undefined {
    if (this.all.filter((t) => t > at - 1000).length >= 30) return "more than 30 calls a second";
    if (chatId === undefined) return undefined;
    const last = this.lastInChat.get(chatId);
    if (last !== undefined && at - last < 1000) return `${at - last} ms after the previous call to the chat`;
    if (chatId < 0 && (this.groupCalls.get(chatId) ?? []).filter((t) => t > at - 60_000).length >= 20) return "more than 20 a minute in a group";
    return undefined;
  }
}
