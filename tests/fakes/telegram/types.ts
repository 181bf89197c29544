/** The data shapes the fake Bot API keeps, records and reports to tests. */
import type {
  PhotoSize,
  Document,
  InlineKeyboardMarkup,
  LinkPreviewOptions,
  MessageEntity,
  ReactionType,
  ResponseParameters,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import type { ErrorBody, OkBody } from "./http";

/** A message in a chat, in its current (edited) state. User messages are kept too (see `history`). */
export interface StoredMessage {
  message_id: number;
  chat_id: number;
  /** Who sent it: the bot (through the API) or a user (through userText). */
  sender: "bot" | "user";
  from: User;
  /** Unix seconds. */
  date: number;
  /** Unix seconds of the last edit. */
  edit_date?: number;
  message_thread_id?: number;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  /** The `parse_mode` the bot asked for. The fake does not parse HTML/Markdown; `text` stays raw. */
  parse_mode?: string;
  document?: Document;
  /** A photo a user sent: its sizes, smallest first (as Telegram sends them). */
  photo?: PhotoSize[];
  /** The uploaded bytes of `document`. */
  bytes?: Uint8Array;
  /** Only inline keyboards live on messages, as in Telegram. */
  reply_markup?: InlineKeyboardMarkup;
  /** A reply keyboard / ReplyKeyboardRemove / ForceReply sent along; never part of the Message. */
  reply_keyboard?: unknown;
  reply_to_message_id?: number;
  disable_notification?: boolean;
  link_preview_options?: LinkPreviewOptions;
  /** The bot's reaction to this message (setMessageReaction). */
  reaction?: ReactionType[];
  /** How many successful edits (text or markup) the message has had. */
  edits: number;
  deleted: boolean;
}

/** One request to the Bot API, recorded when it arrives; `response` is filled in when answered. */
export interface Call {
  /** 1-based sequence over all calls. */
  seq: number;
  /** The method name as Telegram knows it (lookups are case-insensitive, like the real API). */
  method: string;
  payload: Record<string, any>;
  /** Date.now() when the request arrived. */
  at: number;
  response?: OkBody | ErrorBody;
}

export interface FaultSpec {
  error_code: number;
  /** Defaults by code; for 429 it is always `Too Many Requests: retry after N`. */
  description?: string;
  retry_after?: number;
  /** Extra `parameters` (e.g. migrate_to_chat_id). */
  parameters?: ResponseParameters;
  /** How many calls fail; default 1. Use Infinity for "until cleared". */
  count?: number;
}

export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  at: number;
}

export interface DraftSnapshot {
  chat_id: number;
  message_thread_id?: number;
  draft_id: number;
  text: string;
  entities?: MessageEntity[];
  can_stop?: boolean;
  keep_on_stop?: boolean;
  at: number;
}

export interface ChatActionRecord {
  chat_id: number;
  action: string;
  message_thread_id?: number;
  at: number;
}

export interface WebhookDelivery {
  update_id: number;
  attempt: number;
  /** HTTP status of the webhook's answer; 0 when the request itself failed. */
  status: number;
  error?: string;
  secret_header?: string;
  at: number;
}

export type FakeEvent =
  | { type: "call"; call: Call }
  | { type: "message"; change: "sent" | "edited" | "deleted" | "reaction"; message: StoredMessage }
  | { type: "update"; update: Update }
  | { type: "poll"; state: "waiting" | "answered" | "ended" }
  | { type: "callback_answer"; answer: CallbackAnswer }
  | { type: "draft"; draft: DraftSnapshot }
  | { type: "action"; action: ChatActionRecord }
  | { type: "webhook"; delivery: WebhookDelivery }
  | { type: "stopped" };

export interface FakeTelegramOptions {
  /** The bot token the fake expects; the bot id is its numeric prefix. Default "123456:TEST". */
  token?: string;
  /** Accept any well-formed token (the standalone dev server does). Default false. */
  acceptAnyToken?: boolean;
  /** Bot username, used by grammY to match `/cmd@username`. Default "ra_test_bot". */
  username?: string;
  /** Overrides for getMe, e.g. `{ has_topics_enabled: true }`. */
  botInfo?: Partial<UserFromGetMe>;
  /** Default 0 (any free port). */
  port?: number;
  /** Webhook delivery: attempts per update (default 3) and the pause before a retry (default 20 ms, doubling). */
  /** `freshConnections`: every delivery on a new connection (so a TCP balancer spreads them the way an HTTP one spreads requests). */
  webhook?: { attempts?: number; retryDelayMs?: number; freshConnections?: boolean };
  /**
   * Simulated flood control: a send/edit to a chat less than `minIntervalMs` after the previous one
   * gets `429 Too Many Requests: retry after <retryAfter>` (default 1 s).
   */
  floodControl?: { minIntervalMs: number; retryAfter?: number };
  /**
   * Telegram's documented limits, enforced strictly on every call addressed to a chat (see
   * DocumentedLimits): one a second per chat (chat actions and edits included), 20 a minute in a
   * group, 30 a second over all chats. A call over a limit gets `429 … retry after <retryAfter>`
   * (default 5 s) and is listed in `FakeTelegram.limits.rejected`.
   */
  documentedLimits?: boolean | { retryAfter?: number };
}

export interface UserTextOptions {
  /** Sender id; defaults to the chat id in private chats, 1000 in groups. */
  fromId?: number;
  firstName?: string;
  username?: string;
  /** Default "private" for positive ids, "group" for negative ones (supergroup for -100…). */
  chatType?: "private" | "group" | "supergroup";
  /** Group title. */
  title?: string;
  /** Sends into this topic; the topic is registered in the chat if it is new. */
  threadId?: number;
  /** Makes the message a reply to this message id. */
  replyTo?: number;
  /** Extra entities (a bot_command entity for a leading /command is added automatically). */
  entities?: MessageEntity[];
}

/** A file a user sends (userFile): a photo (Telegram re-encodes it as JPEG) or any document. */
export interface UserFile {
  bytes: Uint8Array;
  /** "photo" arrives as `message.photo` (sizes, no name); "document" as `message.document`. Default document. */
  as?: "photo" | "document";
  /** A document's name (default "file.bin"); its MIME type follows from it unless `mimeType` is given. */
  fileName?: string;
  mimeType?: string;
  caption?: string;
  /** A photo's size in pixels (default 1280×720). */
  width?: number;
  height?: number;
}
