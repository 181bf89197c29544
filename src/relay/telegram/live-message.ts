import type { InlineKeyboardMarkup, Message } from "grammy/types";
import type { FormattedText } from "../format";
import type { Messenger } from "./messenger";

/** What a live message should show; `draft` marks a state that is still changing (see DraftMessage). */
export type LiveState = { pieces: FormattedText[]; markup?: InlineKeyboardMarkup; silent?: boolean; draft?: boolean };

/**
 * One logical message that may span several Telegram messages (split near 4000 characters).
 * `update()` records how to render the desired state; a single coalesced lane job renders it only
 * when it is about to call Telegram (so a fast stream renders once per call, not once per chunk)
 * and brings Telegram in line, one call at a time, always with the newest state.
 */
export class LiveMessage {
  private render: (() => LiveState) | undefined;
  private state: LiveState = { pieces: [] };
  private sent: { id: number; key: string }[] = [];
  private waiters: (() => void)[] = [];

  /** `onMessages` hears every change of the message ids (so a restart can adopt them). */
  constructor(
    protected readonly messenger: Messenger,
    readonly chatId: number,
    private readonly onMessages?: (ids: number[]) => void,
    readonly threadId?: number,
  ) {}

  get messageIds(): number[] {
    return this.sent.map((s) => s.id);
  }

  /** Adopts messages sent earlier (after a relay restart) so they are edited, not duplicated. */
  adopt(ids: number[]): void {
    this.sent = ids.map((id) => ({ id, key: "" }));
  }

  /** The desired state, rendered lazily (only the newest render ever runs). */
  update(render: () => LiveState): void {
    this.render = render;
    this.scheduled();
  }

  set(pieces: FormattedText[], markup?: InlineKeyboardMarkup, options: { silent?: boolean; draft?: boolean } = {}): void {
    this.update(() => ({ pieces, markup, ...options }));
  }

  /** A separate message that rings the phone (an error), in the same chat and topic. */
  alert(ft: FormattedText): Promise<Message | null> {
    return this.messenger.send(this.chatId, ft, { threadId: this.threadId });
  }

  /** Sends a file into the same chat, after what is queued before it. */
  attach(filename: string, content: string, caption?: string): Promise<Message | null> {
    return this.messenger.document(this.chatId, filename, content, caption, this.threadId);
  }

  /** Resolves once Telegram shows the latest desired state (its real messages). */
  settled(): Promise<void> {
    if (this.inSync()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * A new state waits: the default is one sync job in the chat's lane, a new message until the
   * first is out (or on its way: what comes after it is an edit), then edits.
   */
  protected scheduled(): void {
    this.messenger.lane(this.chatId).push(this.sync, this.sent.length === 0 && !this.syncing ? "message" : "edit");
  }

  /** The newest desired state, rendered now if it changed. */
  protected current(): LiveState {
    if (this.render) {
      this.state = this.render();
      this.render = undefined;
    }
    return this.state;
  }

  /** The pieces that are real messages (DraftMessage keeps the growing last one as a draft). */
  protected realPieces(state: LiveState): FormattedText[] {
    return state.pieces;
  }

  private keyOf(pieces: FormattedText[], index: number, markup: InlineKeyboardMarkup | undefined): string {
    const piece = pieces[index]!;
    return JSON.stringify([piece.text, piece.entities, index === pieces.length - 1 ? (markup ?? null) : null]);
  }

  private plan(): { pieces: FormattedText[]; markup: InlineKeyboardMarkup | undefined; silent: boolean; index: number } {
    const state = this.current();
    const pieces = this.realPieces(state);
    const markup = pieces === state.pieces ? state.markup : undefined;
    let index = -1;
    for (let i = 0; i < pieces.length; i++) {
      if (this.sent[i]?.key !== this.keyOf(pieces, i, markup)) {
        index = i;
        break;
      }
    }
    return { pieces, markup, silent: state.silent ?? false, index };
  }

  private inSync(): boolean {
    return this.plan().index === -1;
  }

  /** At most one call towards the desired real messages: "idle" when none was needed. */
  protected async syncOnce(): Promise<"idle" | "done" | "again"> {
    const { pieces, markup: lastMarkup, silent: quiet, index } = this.plan();
    if (index >= 0) {
      const piece = pieces[index]!;
      const key = this.keyOf(pieces, index, lastMarkup);
      const markup = index === pieces.length - 1 ? lastMarkup : undefined;
      const existing = this.sent[index];
      // Pieces after the first are continuations: they never ring the phone.
      const silent = quiet || index > 0;
      if (existing && (await this.messenger.rawEdit(this.chatId, existing.id, piece, { markup }))) {
        this.sent[index] = { id: existing.id, key };
      } else {
        const message = await this.messenger.rawSend(this.chatId, piece, { markup, silent, threadId: this.threadId });
        this.sent[index] = { id: message.message_id, key };
        this.onMessages?.(this.messageIds);
      }
    }
    if (!this.inSync()) return "again";
    for (const resolve of this.waiters.splice(0)) resolve();
    return index >= 0 ? "done" : "idle";
  }

  private syncing = false;

  private readonly sync = async (): Promise<"done" | "skipped"> => {
    this.syncing = true;
    const outcome = await this.syncOnce().finally(() => (this.syncing = false));
    // More to do: queued again as what it now is (an edit once the first message is out), so the
    // lane paces it like one.
    if (outcome === "again") this.scheduled();
    return outcome === "idle" ? "skipped" : "done";
  };
}
