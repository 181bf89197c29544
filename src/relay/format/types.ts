import type { MessageEntity } from "grammy/types";

export type { MessageEntity };

/** Telegram message content: plain text plus entities whose offsets count UTF-16 code units. */
export type FormattedText = { text: string; entities: MessageEntity[] };

/** Hard Telegram limit on message text, in UTF-16 units (the safe reading of §1.1). */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Default piece size: leaves room for a cursor or a status line. */
export const DEFAULT_SPLIT_LIMIT = 4000;
/** Unofficial per-message entity cap (tdlib/telegram-bot-api #820); kept as a guard. */
export const MAX_ENTITIES = 100;

/** An entity without its position (distributes over the MessageEntity union). */
export type EntityShape = MessageEntity extends infer E ? (E extends MessageEntity ? Omit<E, "offset" | "length"> : never) : never;
