import { GrammyError, InputFile, type Api } from "grammy";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { validateEntities, type FormattedText } from "../format";
import { ChatLane, isTransient, type LaneJob } from "./lane";
import type { RetryAfter } from "./retry-after";

/** urgent: goes before waiting edits (approval cards must not queue behind streaming). */
export type SendOptions = { markup?: InlineKeyboardMarkup; silent?: boolean; urgent?: boolean; /** The topic, in a chat with topics. */ threadId?: number };

const inThread = (threadId: number | undefined) => (threadId === undefined ? {} : { message_thread_id: threadId });

const NO_PREVIEW = { is_disabled: true } as const;

/**
 * All chat output goes through here: paced per chat (see ChatLane), entities checked before they
 * leave, Telegram's benign errors ("not modified") treated as success.
 */
export class Messenger {
  private lanes = new Map<number, ChatLane>();

  constructor(
    readonly api: Api,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly log: Log,
    /** Pauses learnt from 429s on calls made outside the lanes. */
    private readonly pauses?: RetryAfter,
  ) {}

  lane(chatId: number): ChatLane {
    let lane = this.lanes.get(chatId);
    if (!lane) {
      lane = new ChatLane(this.clock, this.intervalMs, this.log, () => this.pauses?.pausedUntil(chatId) ?? 0);
      this.lanes.set(chatId, lane);
    }
    return lane;
  }

  /** Sends one message (paced); resolves with it, or null if Telegram refused it for good. */
  send(chatId: number, ft: FormattedText, options: SendOptions = {}): Promise<Message | null> {
    return new Promise((resolve) => {
      this.lane(chatId).push(async (lastChance) => {
        try {
          resolve(await this.rawSend(chatId, ft, options));
        } catch (err) {
          if (isRetryAfter(err) || (isTransient(err) && !lastChance)) throw err;
          this.log.error(`could not send a message to chat ${chatId}: ${(err as Error).message}`);
          resolve(null);
        }
        return "done";
      }, options.urgent);
    });
  }

  /** Edits a message (paced); "not modified" counts as success. */
  edit(chatId: number, messageId: number, ft: FormattedText, options: SendOptions = {}): Promise<boolean> {
    return new Promise((resolve) => {
      this.lane(chatId).push(async (lastChance) => {
        try {
          resolve(await this.rawEdit(chatId, messageId, ft, options));
        } catch (err) {
          if (isRetryAfter(err) || (isTransient(err) && !lastChance)) throw err;
          this.log.warn(`could not edit message ${messageId} in chat ${chatId}: ${(err as Error).message}`);
          resolve(false);
        }
        return "done";
      });
    });
  }

  /** Sends a text file (a long diff, a whole answer); paced like everything else. */
  document(chatId: number, filename: string, content: string, caption?: string, threadId?: number): Promise<Message | null> {
    return new Promise((resolve) => {
      this.lane(chatId).push(async (lastChance) => {
        try {
          resolve(await this.api.sendDocument(chatId, new InputFile(new TextEncoder().encode(content), filename), { caption: caption?.slice(0, 1024), disable_notification: true, ...inThread(threadId) }));
        } catch (err) {
          if (isRetryAfter(err) || (isTransient(err) && !lastChance)) throw err;
          this.log.error(`could not send ${filename} to chat ${chatId}: ${(err as Error).message}`);
          resolve(null);
        }
        return "done";
      });
    });
  }

  /**
   * A lane job that shows "typing…" (or another chat action) while `wanted()` holds. It is
   * fleeting, so a failure is only logged, never retried; a 429 still pauses the whole chat.
   */
  chatActionJob(chatId: number, wanted: () => boolean, action: "typing" | "upload_document" = "typing", threadId?: number): LaneJob {
    return async () => {
      if (!wanted()) return "done"; // the turn ended while this waited: no stale "typing…"
      try {
        await this.api.sendChatAction(chatId, action, threadId === undefined ? {} : { message_thread_id: threadId });
      } catch (err) {
        if (isRetryAfter(err)) throw err;
        this.log.debug(`could not show ${action} in chat ${chatId}: ${(err as Error).message}`);
      }
      return "done";
    };
  }

  /** Creates a forum topic (paced); resolves with its thread id, or undefined if Telegram refused. */
  createTopic(chatId: number, name: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      this.lane(chatId).push(async (lastChance) => {
        try {
          resolve((await this.api.createForumTopic(chatId, name)).message_thread_id);
        } catch (err) {
          if (isRetryAfter(err) || (isTransient(err) && !lastChance)) throw err;
          this.log.warn(`could not create the topic "${name}" in chat ${chatId}: ${(err as Error).message}`);
          resolve(undefined);
        }
        return "done";
      });
    });
  }

  /** Hears a topic that no longer exists (the owner deleted it); the message went to the main chat. */
  onThreadGone: (chatId: number, threadId: number) => void = () => {};

  /** `onMessages` hears every change of the message ids (so a restart can adopt them). */
  live(chatId: number, onMessages?: (ids: number[]) => void, threadId?: number): LiveMessage {
    return new LiveMessage(this, chatId, onMessages, threadId);
  }

  async rawSend(chatId: number, ft: FormattedText, options: SendOptions): Promise<Message> {
    const safe = safeFormatted(ft);
    try {
      return await this.api.sendMessage(chatId, safe.text, {
        entities: safe.entities,
        link_preview_options: NO_PREVIEW,
        reply_markup: options.markup,
        disable_notification: options.silent,
        ...inThread(options.threadId),
      });
    } catch (err) {
      if (isThreadGone(err) && options.threadId !== undefined) {
        this.log.warn(`topic ${options.threadId} in chat ${chatId} is gone; writing to the main chat`);
        this.onThreadGone(chatId, options.threadId);
        return this.rawSend(chatId, ft, { ...options, threadId: undefined });
      }
      if (!isEntityError(err)) throw err;
      this.log.warn(`Telegram rejected the formatting; sending plain text: ${(err as Error).message}`);
      return this.api.sendMessage(chatId, safe.text, { link_preview_options: NO_PREVIEW, reply_markup: options.markup, disable_notification: options.silent, ...inThread(options.threadId) });
    }
  }

  /** Returns false when the message no longer exists (the caller sends a new one). */
  async rawEdit(chatId: number, messageId: number, ft: FormattedText, options: SendOptions): Promise<boolean> {
    const safe = safeFormatted(ft);
    try {
      await this.api.editMessageText(chatId, messageId, safe.text, { entities: safe.entities, link_preview_options: NO_PREVIEW, reply_markup: options.markup });
      return true;
    } catch (err) {
      if (err instanceof GrammyError && err.description.includes("message is not modified")) return true;
      if (err instanceof GrammyError && err.description.includes("message to edit not found")) return false;
      if (!isEntityError(err)) throw err;
      await this.api.editMessageText(chatId, messageId, safe.text, { link_preview_options: NO_PREVIEW, reply_markup: options.markup });
      return true;
    }
  }
}

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

  /** A new state waits: the default is one sync job in the chat's lane. */
  protected scheduled(): void {
    this.messenger.lane(this.chatId).push(this.sync);
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

  private readonly sync = async (): Promise<"done" | "again"> => {
    const outcome = await this.syncOnce();
    return outcome === "idle" ? "done" : outcome;
  };
}

export function isRetryAfter(err: unknown): boolean {
  return err instanceof GrammyError && err.parameters.retry_after !== undefined;
}

function isThreadGone(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message thread not found|TOPIC_(DELETED|CLOSED)/i.test(err.description);
}

function isEntityError(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /entit/i.test(err.description);
}

/** Last-line guard: formatting that would break Telegram's rules is dropped, the text is kept. */
function safeFormatted(ft: FormattedText): FormattedText {
  const text = ft.text.length > 0 ? ft.text : "…";
  if (text !== ft.text || validateEntities(ft) !== null) return { text, entities: [] };
  return ft;
}
