/**
 * What the fake Telegram remembers: chats (with per-chat message ids shared by the bot and the
 * user, as in a real private chat), messages in their current state, topics, uploaded files,
 * callback queries and their answers, drafts, chat actions and command lists.
 */
import type { BotCommand, Chat, Document, ForumTopic, InaccessibleMessage, Message, User, UserFromGetMe } from "grammy/types";
import type { CallbackAnswer, ChatActionRecord, DraftSnapshot, FakeEvent, StoredMessage } from "./types";

export type ChatRecord = {
  chat: Chat;
  nextMessageId: number;
  messages: StoredMessage[];
  topics: Map<number, ForumTopic>;
};

export type StoredFile = { document: Document; bytes: Uint8Array; file_path: string };

export const unixNow = () => Math.floor(Date.now() / 1000);

/** Drops undefined fields so stored objects compare and print cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export class FakeState {
  readonly chats = new Map<number, ChatRecord>();
  readonly users = new Map<number, User>();
  /** Callback query ids that may still be answered. */
  readonly openCallbacks = new Set<string>();
  readonly callbackAnswers: CallbackAnswer[] = [];
  readonly drafts: DraftSnapshot[] = [];
  readonly actions: ChatActionRecord[] = [];
  /** Keyed by scope + language (see commandKey). */
  readonly commands = new Map<string, BotCommand[]>();
  readonly files = new Map<string, StoredFile>();
  readonly leftChats = new Set<number>();
  private fileCounter = 0;
  private callbackCounter = 0;

  constructor(
    readonly bot: UserFromGetMe,
    readonly emit: (event: FakeEvent) => void,
  ) {}

  /** The chat with this id, created on first use: private for positive ids, a group otherwise. */
  chat(chatId: number): ChatRecord {
    let record = this.chats.get(chatId);
    if (!record) {
      record = { chat: defaultChat(chatId, this.user(chatId)), nextMessageId: 1, messages: [], topics: new Map() };
      this.chats.set(chatId, record);
    }
    return record;
  }

  /** Sets how a chat looks (type, title; a private chat mirrors its user's names). */
  defineChat(chatId: number, type: "private" | "group" | "supergroup", title?: string): ChatRecord {
    const record = this.chat(chatId);
    const oldTitle = "title" in record.chat ? record.chat.title : undefined;
    record.chat = type === "private" ? defaultChat(chatId, this.user(chatId)) : ({ id: chatId, type, title: title ?? oldTitle ?? `Group ${chatId}` } as Chat);
    return record;
  }

  user(userId: number, names: { firstName?: string; username?: string } = {}): User {
    const known = this.users.get(userId);
    const user: User = {
      id: userId,
      is_bot: false,
      first_name: names.firstName ?? known?.first_name ?? `User${userId}`,
      ...((names.username ?? known?.username) ? { username: names.username ?? known?.username } : {}),
      language_code: "en",
    };
    this.users.set(userId, user);
    return user;
  }

  get botUser(): User {
    return { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username };
  }

  addMessage(chatId: number, fields: Omit<StoredMessage, "message_id" | "chat_id" | "date" | "edits" | "deleted">): StoredMessage {
    const record = this.chat(chatId);
    const stored: StoredMessage = { message_id: record.nextMessageId++, chat_id: chatId, date: unixNow(), edits: 0, deleted: false, ...fields };
    record.messages.push(stored);
    this.emit({ type: "message", change: "sent", message: stored });
    return stored;
  }

  /** A message that still exists (not deleted). */
  findMessage(chatId: number, messageId: number): StoredMessage | undefined {
    return this.chats.get(chatId)?.messages.find((m) => m.message_id === messageId && !m.deleted);
  }

  /** Topic ids are message ids: a topic is created by a service message in the chat. */
  addTopic(chatId: number, name: string, iconColor: number, threadId?: number): ForumTopic {
    const record = this.chat(chatId);
    const id = threadId ?? record.nextMessageId++;
    record.nextMessageId = Math.max(record.nextMessageId, id + 1);
    const topic: ForumTopic = { message_thread_id: id, name, icon_color: iconColor };
    record.topics.set(id, topic);
    return topic;
  }

  storeFile(bytes: Uint8Array, fileName: string, mimeType: string): StoredFile {
    const n = ++this.fileCounter;
    const document: Document = {
      file_id: `BQACAgIAAxkDAAI${n.toString(36).padStart(6, "0")}${"fakefileid".repeat(3)}`,
      file_unique_id: `AgAD${n.toString(36).padStart(8, "0")}`,
      file_name: fileName,
      mime_type: mimeType,
      file_size: bytes.length,
    };
    const file = { document, bytes, file_path: `documents/file_${n}${extensionOf(fileName)}` };
    this.files.set(document.file_id, file);
    return file;
  }

  /** Real callback query ids are long decimal strings. */
  newCallbackId(): string {
    const id = (4_611_686_018_427_387_904n + BigInt(++this.callbackCounter)).toString();
    this.openCallbacks.add(id);
    return id;
  }

  /** The Bot API Message for a stored message, as Telegram would send it now. */
  toMessage(m: StoredMessage, withReply = true): Message {
    const record = this.chat(m.chat_id);
    const replyTo = withReply && m.reply_to_message_id !== undefined ? record.messages.find((x) => x.message_id === m.reply_to_message_id) : undefined;
    const message: Record<string, unknown> = {
      message_id: m.message_id,
      ...(m.message_thread_id !== undefined ? { message_thread_id: m.message_thread_id, is_topic_message: true } : {}),
      from: m.from,
      chat: record.chat,
      date: m.date,
      ...(m.edit_date !== undefined ? { edit_date: m.edit_date } : {}),
      ...(replyTo ? { reply_to_message: this.toMessage(replyTo, false) } : {}),
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.entities ? { entities: m.entities } : {}),
      ...(m.link_preview_options ? { link_preview_options: m.link_preview_options } : {}),
      ...(m.document ? { document: m.document } : {}),
      ...(m.photo ? { photo: m.photo } : {}),
      ...(m.caption !== undefined ? { caption: m.caption } : {}),
      ...(m.caption_entities ? { caption_entities: m.caption_entities } : {}),
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    };
    return message as unknown as Message;
  }

  /** What a callback query carries for a message that is gone: an InaccessibleMessage. */
  inaccessible(chatId: number, messageId: number): InaccessibleMessage {
    return { chat: this.chat(chatId).chat, message_id: messageId, date: 0 };
  }
}

function defaultChat(chatId: number, user: User): Chat {
  if (chatId > 0) return { id: chatId, type: "private", first_name: user.first_name, ...(user.username ? { username: user.username } : {}) };
  const supergroup = String(chatId).startsWith("-100");
  return { id: chatId, type: supergroup ? "supergroup" : "group", title: `Group ${chatId}` } as Chat;
}

function extensionOf(fileName: string): string {
  const match = fileName.match(/\.[A-Za-z0-9]{1,8}$/);
  return match ? match[0].toLowerCase() : "";
}

const MIME_TYPES: Record<string, string> = {
  ".md": "text/markdown", ".txt": "text/plain", ".log": "text/plain", ".json": "application/json", ".html": "text/html",
  ".csv": "text/csv", ".diff": "text/x-diff", ".patch": "text/x-diff", ".pdf": "application/pdf", ".zip": "application/zip",
  ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
};

/** Telegram derives a document's MIME type from its name; unknown names become octet-stream. */
export function mimeTypeOf(fileName: string): string {
  return MIME_TYPES[extensionOf(fileName)] ?? "application/octet-stream";
}

/** Command lists are kept per scope and language, like Telegram does. */
export function commandKey(scope: unknown, languageCode: unknown): string {
  const s = (scope ?? { type: "default" }) as Record<string, unknown>;
  const parts = Object.keys(s).sort().map((k) => `${k}=${String(s[k])}`);
  return `${parts.join(",")}|${languageCode ?? ""}`;
}
