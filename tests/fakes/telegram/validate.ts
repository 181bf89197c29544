/**
 * The checks Telegram applies to what a bot sends, with the real error texts where they are known:
 * text lengths, entity ranges (in UTF-16 code units, like JS strings), inline keyboards and their
 * 64-byte callback_data, command names, reactions. Plus the canonical forms used to decide whether
 * an edit changes anything ("message is not modified").
 */
import type { BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, ReactionType } from "grammy/types";
import { badRequest } from "./http";

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;

export const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/** Checks a message text (1..4096 UTF-16 units, not blank) and returns it. */
export function checkText(value: unknown, options: { allowEmpty?: boolean } = {}): string {
  const text = value === undefined || value === null ? "" : String(value);
  if (!options.allowEmpty && text.trim() === "") throw badRequest("message text is empty");
  if (text.length > TEXT_LIMIT) throw badRequest("message is too long");
  return text;
}

export function checkCaption(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const caption = String(value);
  if (caption.length > CAPTION_LIMIT) throw badRequest("message caption is too long");
  return caption;
}

const ENTITY_TYPES = new Set([
  "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic", "underline",
  "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre", "text_link", "text_mention",
  "custom_emoji", "date_time",
]);

/** Fields an entity type cannot do without. */
const REQUIRED_ENTITY_FIELDS: Record<string, string> = { text_link: "url", text_mention: "user", custom_emoji: "custom_emoji_id", date_time: "unix_time" };

const entityError = (detail: string) => badRequest(`can't parse entities: ${detail}`);

/**
 * Checks explicit entities against their text. The real server is known to reject malformed ones;
 * for out-of-range ones this fake is deliberately strict, so a renderer's off-by-one shows up in tests.
 */
export function checkEntities(value: unknown, text: string): MessageEntity[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw entityError("entities must be an Array");
  value.forEach((entity, index) => checkEntity(entity, index, text));
  return value.length > 0 ? (value as MessageEntity[]) : undefined;
}

function checkEntity(entity: unknown, index: number, text: string): void {
  if (typeof entity !== "object" || entity === null) throw entityError(`entity ${index} must be an Object`);
  const e = entity as Record<string, unknown>;
  for (const field of ["type", "offset", "length"]) {
    if (e[field] === undefined) throw entityError(`Can't find field "${field}" in entity ${index}`);
  }
  const type = String(e.type);
  if (!ENTITY_TYPES.has(type)) throw entityError(`unsupported entity type "${type}" in entity ${index}`);
  const required = REQUIRED_ENTITY_FIELDS[type];
  if (required && e[required] === undefined) throw entityError(`Can't find field "${required}" in entity ${index} of type ${type}`);
  const { offset, length } = e;
  if (!Number.isInteger(offset) || !Number.isInteger(length)) throw entityError(`entity ${index} has a non-integer offset or length`);
  if ((offset as number) < 0) throw entityError(`entity ${index} (${type}) has a negative offset ${offset}`);
  if ((length as number) <= 0) throw entityError(`entity ${index} (${type}) has a non-positive length ${length}`);
  if ((offset as number) + (length as number) > text.length) {
    throw entityError(`entity ${index} (${type}) at offset ${offset} with length ${length} ends past the end of the text (${text.length} UTF-16 code units)`);
  }
}

/** The actions an inline button may carry; a button without one is a plain "text button". */
const BUTTON_ACTIONS = [
  "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay", "disabled",
];

/**
 * Checks a reply_markup (object or JSON string). Returns the inline keyboard to store on the message
 * (Telegram drops an empty one), or `other` for reply keyboards, which never appear on a Message.
 */
export function checkReplyMarkup(value: unknown): { inline?: InlineKeyboardMarkup; other?: unknown } {
  if (value === undefined || value === null) return {};
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
  }
  if (typeof value !== "object" || value === null) throw badRequest("can't parse reply keyboard markup JSON object");
  const markup = value as Record<string, unknown>;
  if (!("inline_keyboard" in markup)) return { other: markup };
  const rows = markup.inline_keyboard;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) throw badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
  for (const row of rows as unknown[][]) for (const button of row) checkButton(button);
  const nonEmpty = (rows as unknown[][]).some((row) => row.length > 0);
  return nonEmpty ? { inline: markup as unknown as InlineKeyboardMarkup } : {};
}

function checkButton(value: unknown): void {
  if (typeof value !== "object" || value === null) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  const button = value as Record<string, unknown>;
  if (typeof button.text !== "string") throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
  if (!BUTTON_ACTIONS.some((action) => button[action] !== undefined)) throw badRequest("text buttons are unallowed in the inline keyboard");
  if (button.callback_data !== undefined) {
    const bytes = Buffer.byteLength(String(button.callback_data), "utf8");
    if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
  }
  if (button.url !== undefined && !/^(https?|tg):\/\/\S+$/i.test(String(button.url))) throw badRequest("BUTTON_URL_INVALID");
}

/** Checks a setMyCommands list: ≤100 commands, names `[a-z0-9_]{1,32}`, descriptions 1..256. */
export function checkCommands(value: unknown): BotCommand[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest("can't parse commands JSON object");
  if (value.length > 100) throw badRequest("BOT_COMMANDS_TOO_MUCH");
  return value.map((item) => {
    const command = (item ?? {}) as Record<string, unknown>;
    for (const field of ["command", "description"]) {
      if (command[field] === undefined) throw badRequest(`can't parse BotCommand: Can't find field "${field}"`);
    }
    if (!/^[a-z0-9_]{1,32}$/.test(String(command.command))) throw badRequest("BOT_COMMAND_INVALID");
    const description = String(command.description);
    if (description.length < 1 || description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    return { command: String(command.command), description };
  });
}

/** The emoji a bot may react with (Bot API ReactionTypeEmoji). */
const REACTION_EMOJI = new Set(
  "👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡".split(" "),
);

/**
 * Checks a setMessageReaction list: at most one reaction (bots), emoji from the fixed list.
 * The variation selector U+FE0F is ignored in the comparison ("✍️" vs "✍"), as clients add it freely.
 */
export function checkReaction(value: unknown): ReactionType[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest("can't parse reaction types JSON object");
  if (value.length > 1) throw badRequest("REACTIONS_TOO_MANY");
  for (const item of value as Record<string, unknown>[]) {
    if (item?.type === "emoji" && REACTION_EMOJI.has(String(item.emoji).replaceAll("\uFE0F", ""))) continue;
    if (item?.type === "custom_emoji" && typeof item.custom_emoji_id === "string") continue;
    throw badRequest("REACTION_INVALID");
  }
  return value as ReactionType[];
}

/** JSON with sorted keys and no undefined fields: equal content gives equal strings. */
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
  });
}

/** Entities in the order Telegram keeps them (by offset, then longer first), for comparisons. */
export function canonicalEntities(entities: MessageEntity[] | undefined): string {
  const sorted = [...(entities ?? [])].sort((a, b) => a.offset - b.offset || b.length - a.length || a.type.localeCompare(b.type));
  return canonical(sorted);
}

/** Every button of a keyboard, row by row. */
export function buttonsOf(markup: InlineKeyboardMarkup | undefined): InlineKeyboardButton[] {
  return (markup?.inline_keyboard ?? []).flat();
}
