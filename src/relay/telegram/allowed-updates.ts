import type { Update } from "grammy/types";

/**
 * The update types the bot handles, asked for in both modes. Telegram keeps the last list it was
 * given, so polling must send it too after a webhook had set it.
 */
export const ALLOWED_UPDATES: ReadonlyArray<Exclude<keyof Update, "update_id">> = ["message", "callback_query", "my_chat_member", "stopped_message_generation"];
