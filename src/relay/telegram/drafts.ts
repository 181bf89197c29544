import type { Bot, Context } from "grammy";
import type { User } from "grammy/types";
import type { Log } from "../../log";
import type { Turns } from "../core/turns";
import type { FormattedText } from "../format";
import type { RaContext } from "./context";
import { LiveMessage, type LiveState } from "./live-message";
import { LANE_CALL } from "./lane";
import { isRetryAfter, type Messenger } from "./messenger";

/** Which turn each draft id belongs to, so the draft's Stop button stops the right turn. */
export class DraftRegistry {
  private turns = new Map<number, string>();

  /** A stable, non-zero 31-bit draft id for a turn's n-th message. */
  idFor(turnId: string, index: number): number {
    let h = 2166136261;
    for (let i = 0; i < turnId.length; i++) h = Math.imul(h ^ turnId.charCodeAt(i), 16777619);
    const id = (((h >>> 1) & 0x3fffff00) | (index & 0xff)) || 1;
    this.turns.delete(id);
    this.turns.set(id, turnId);
    // Only recent drafts can still be stopped: keep the newest few hundred.
    if (this.turns.size > 500) this.turns.delete(this.turns.keys().next().value!);
    return id;
  }

  turnOf(draftId: number): string | undefined {
    return this.turns.get(draftId);
  }
}

/**
 * A turn's live message shown as a native draft while it streams (private chats, `--drafts`):
 * finished pieces are real messages, the growing last piece is a draft with a Stop button, and the
 * final state is sent as real messages. Any draft error switches this message to edit streaming.
 */
export class DraftMessage extends LiveMessage {
  private fallback = false;
  private finalized = false;
  private shownKey = "";

  constructor(
    messenger: Messenger,
    chatId: number,
    onMessages: ((ids: number[]) => void) | undefined,
    threadId: number | undefined,
    private readonly turnId: string,
    private readonly registry: DraftRegistry,
    private readonly log: Log,
  ) {
    super(messenger, chatId, onMessages, threadId);
  }

  private drafting(state: LiveState): boolean {
    return !this.fallback && !this.finalized && state.draft === true && state.pieces.length > 0;
  }

  protected override realPieces(state: LiveState): FormattedText[] {
    if (!this.drafting(state)) {
      // Once a final state was rendered, no draft may follow (it would linger as a ghost).
      if (!state.draft) this.finalized = true;
      return state.pieces;
    }
    return state.pieces.slice(0, -1);
  }

  protected override scheduled(): void {
    this.messenger.lane(this.chatId).push(this.job, "edit");
  }

  /** One call per run: real messages first, then the draft of the last piece. */
  private readonly job = async (): Promise<"done" | "again"> => {
    const real = await this.syncOnce();
    if (real === "again") return "again";
    const state = this.current();
    if (!this.drafting(state)) return "done";
    const piece = state.pieces.at(-1)!;
    const draftId = this.registry.idFor(this.turnId, state.pieces.length - 1);
    const key = JSON.stringify([draftId, piece.text, piece.entities]);
    if (key === this.shownKey) return "done";
    if (real === "done") return "again"; // this run already made its call
    try {
      await this.messenger.api.sendMessageDraft(this.chatId, draftId, piece.text, {
        entities: piece.entities,
        can_stop: true,
        ...(this.threadId === undefined ? {} : { message_thread_id: this.threadId }),
      }, LANE_CALL);
      this.shownKey = key;
      return "done";
    } catch (err) {
      this.log.warn(`drafts do not work in chat ${this.chatId} (${(err as Error).message}); streaming by edits instead`);
      this.fallback = true;
      if (isRetryAfter(err)) throw err; // the lane pauses the chat, then runs this job again (now by edits)
      return "again";
    }
  };
}

/** The update of a draft's Stop button carries no sender: in a private chat the chat is the user. */
export function senderOf(ctx: Context): User | undefined {
  if (ctx.from) return ctx.from;
  const chat = ctx.update.stopped_message_generation?.chat;
  return chat?.type === "private" ? { id: chat.id, is_bot: false, first_name: chat.first_name ?? "" } : undefined;
}

/** The draft's Stop button does what /stop does for that turn. */
export function registerDraftStop(bot: Bot<RaContext>, registry: DraftRegistry, turns: Turns): void {
  bot.on("stopped_message_generation", async (ctx) => {
    const stopped = ctx.update.stopped_message_generation!;
    const turnId = registry.turnOf(Number(stopped.draft_id));
    if (turnId) await turns.stopTurn(turnId, stopped.chat.id);
  });
}
