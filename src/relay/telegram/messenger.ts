import { GrammyError, InputFile, type Api } from "grammy";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { validateEntities, type FormattedText } from "../format";
import type { ChatGates } from "./chat-gate";
import { ChatLane, isTransient, LANE_CALL, type LaneJob } from "./lane";
import type { RetryAfter } from "./retry-after";
import { maskSecrets } from "../mask-secrets";

/** urgent: an approval card, ahead of every other waiting message and edit (never queued behind streaming). */
export type SendOptions = { markup?: InlineKeyboardMarkup; silent?: boolean; urgent?: boolean; /** The topic, in a chat with topics. */ threadId?: number };

const inThread = (threadId: number | undefined) => (threadId === undefined ? {} : { message_thread_id: threadId });

const NO_PREVIEW = { is_disabled: true } as const;

/**
 * All chat output goes through here: paced per chat (see ChatLane), entities checked before they
 * leave, Telegram's benign errors ("not modified") treated as success. Every call here is made by
 * a lane job and carries LANE_CALL.
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
    /** Shares each chat's pacing with other relay instances (none: this process is the only sender). */
    private readonly gates?: ChatGates,
  ) {}

  lane(chatId: number): ChatLane {
    let lane = this.lanes.get(chatId);
    if (!lane) {
      // Groups (negative ids) have a lower limit than private chats.
      lane = new ChatLane(this.clock, this.intervalMs, this.log, () => this.pauses?.pausedUntil(chatId) ?? 0, chatId < 0, this.gates?.gate(chatId));
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
      }, options.urgent ? "card" : "message");
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
      }, "edit");
    });
  }

  /** Sends a text file (a long diff, a whole answer), secrets masked; paced like everything else. */
  document(chatId: number, filename: string, content: string, caption?: string, threadId?: number): Promise<Message | null> {
    return this.file(chatId, filename, new TextEncoder().encode(maskSecrets(content).text), { caption, threadId, silent: true });
  }

  /** Sends a file as it is (one the owner asked for with /get); paced like everything else. */
  file(chatId: number, filename: string, bytes: Uint8Array, options: { caption?: string; threadId?: number; silent?: boolean } = {}): Promise<Message | null> {
    return new Promise((resolve) => {
      this.lane(chatId).push(async (lastChance) => {
        try {
          resolve(await this.api.sendDocument(chatId, new InputFile(bytes, filename), { caption: options.caption?.slice(0, 1024), disable_notification: options.silent ?? false, ...inThread(options.threadId) }, LANE_CALL));
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
  chatActionJob(chatId: number, wanted: () => boolean, action: "typing" | "upload_document" = "typing", threadId?: number, onShown?: () => void): LaneJob {
    return async () => {
      if (!wanted()) return "skipped"; // the turn ended while this waited: no stale "typing…"
      try {
        await this.api.sendChatAction(chatId, action, threadId === undefined ? {} : { message_thread_id: threadId }, LANE_CALL);
        onShown?.();
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
          resolve((await this.api.createForumTopic(chatId, name, {}, LANE_CALL)).message_thread_id);
        } catch (err) {
          if (isRetryAfter(err) || (isTransient(err) && !lastChance)) throw err;
          this.log.warn(`could not create the topic "${name}" in chat ${chatId}: ${(err as Error).message}`);
          resolve(undefined);
        }
        return "done";
      });
    });
  }

  /** Renames a topic the bot created (paced); a refusal (the topic is gone, the name unchanged) is only logged. */
  renameTopic(chatId: number, threadId: number, name: string): Promise<void> {
    return new Promise((resolve) => {
      this.lane(chatId).push(async (lastChance) => {
        try {
          await this.api.editForumTopic(chatId, threadId, { name }, LANE_CALL);
        } catch (err) {
          if (isRetryAfter(err) || (isTransient(err) && !lastChance)) throw err;
          this.log.debug(`could not rename topic ${threadId} in chat ${chatId}: ${(err as Error).message}`);
        }
        resolve();
        return "done";
      });
    });
  }

  /** Hears a topic that no longer exists (the owner deleted it); answers where to write instead (undefined: the main chat). */
  onThreadGone: (chatId: number, threadId: number) => Promise<number | undefined> = async () => undefined;

  async rawSend(chatId: number, ft: FormattedText, options: SendOptions): Promise<Message> {
    const safe = safeFormatted(ft);
    try {
      return await this.api.sendMessage(chatId, safe.text, {
        entities: safe.entities,
        link_preview_options: NO_PREVIEW,
        reply_markup: options.markup,
        disable_notification: options.silent,
        ...inThread(options.threadId),
      }, LANE_CALL);
    } catch (err) {
      if (isThreadGone(err) && options.threadId !== undefined) {
        const instead = await this.onThreadGone(chatId, options.threadId);
        this.log.warn(`topic ${options.threadId} in chat ${chatId} is gone; writing to ${instead === undefined ? "the main chat" : `topic ${instead}`}`);
        return this.rawSend(chatId, ft, { ...options, threadId: instead });
      }
      if (!isEntityError(err)) throw err;
      this.log.warn(`Telegram rejected the formatting; sending plain text: ${(err as Error).message}`);
      return this.api.sendMessage(chatId, safe.text, { link_preview_options: NO_PREVIEW, reply_markup: options.markup, disable_notification: options.silent, ...inThread(options.threadId) }, LANE_CALL);
    }
  }

  /** Returns false when the message no longer exists (the caller sends a new one). */
  async rawEdit(chatId: number, messageId: number, ft: FormattedText, options: SendOptions): Promise<boolean> {
    const safe = safeFormatted(ft);
    try {
      await this.api.editMessageText(chatId, messageId, safe.text, { entities: safe.entities, link_preview_options: NO_PREVIEW, reply_markup: options.markup }, LANE_CALL);
      return true;
    } catch (err) {
      if (err instanceof GrammyError && err.description.includes("message is not modified")) return true;
      if (err instanceof GrammyError && err.description.includes("message to edit not found")) return false;
      if (!isEntityError(err)) throw err;
      await this.api.editMessageText(chatId, messageId, safe.text, { link_preview_options: NO_PREVIEW, reply_markup: options.markup }, LANE_CALL);
      return true;
    }
  }
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
