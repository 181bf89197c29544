/**
 * The Bot API methods the fake implements. Each handler reads coerced parameters, applies
 * Telegram's checks (real error texts where known), changes the state and returns the `result`.
 */
import type { ForumTopic, Message } from "grammy/types";
import { ApiError, badRequest, type Params } from "./http";
import { commandKey, compact, type ChatRecord, type FakeState, mimeTypeOf, unixNow } from "./state";
import type { StoredMessage } from "./types";
import type { UpdateQueue } from "./updates";
import {
  canonical,
  canonicalEntities,
  checkCaption,
  checkCommands,
  checkEntities,
  checkReaction,
  checkReplyMarkup,
  checkText,
  NOT_MODIFIED,
} from "./validate";

export type MethodContext = { p: Params; files: Map<string, File>; state: FakeState; updates: UpdateQueue; signal: AbortSignal };
type Handler = (ctx: MethodContext) => unknown;

/** Methods that put something in a chat; flood control and the interval checker look at these. */
export const WRITE_METHODS = ["sendMessage", "editMessageText", "editMessageReplyMarkup", "editMessageCaption", "sendDocument", "sendMessageDraft"];

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
  "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

const TOPIC_COLORS = new Set([7322096, 16766590, 13338331, 9367192, 16749490, 16478047]);

// ---- parameter helpers

function chatIdOf(p: Params): number {
  const value = p.chat_id;
  if (value === undefined || value === null || value === "") throw badRequest("chat_id is empty");
  if (typeof value === "number" && Number.isInteger(value)) return value;
  throw badRequest("chat not found"); // @usernames are not modelled
}

function intOf(p: Params, name: string, missing: string): number {
  const value = p[name];
  if (value === undefined || value === null || value === "") throw badRequest(missing);
  if (typeof value !== "number" || !Number.isInteger(value)) throw badRequest(`field "${name}" must be an Integer`);
  return value;
}

const bool = (value: unknown) => (value === undefined ? undefined : value === true);

/** A chat the bot may write to: not one it left. */
function writableChat(state: FakeState, chatId: number): ChatRecord {
  const record = state.chat(chatId);
  if (state.leftChats.has(chatId) && record.chat.type !== "private") throw new ApiError(403, `Forbidden: bot is not a member of the ${record.chat.type} chat`);
  return record;
}

function threadOf(p: Params, record: ChatRecord): number | undefined {
  if (p.message_thread_id === undefined) return undefined;
  const id = p.message_thread_id;
  if (typeof id !== "number" || !record.topics.has(id)) throw badRequest("message thread not found");
  return id;
}

function replyTargetOf(p: Params, state: FakeState, chatId: number): number | undefined {
  const params = (p.reply_parameters ?? {}) as Record<string, unknown>;
  const id = (params.message_id ?? p.reply_to_message_id) as number | undefined;
  if (id === undefined) return undefined;
  if (state.findMessage(chatId, id)) return id;
  if (params.allow_sending_without_reply === true || p.allow_sending_without_reply === true) return undefined;
  throw badRequest("message to be replied not found");
}

/** The bot's own, still existing message named by chat_id + message_id, for an edit. */
function editableMessage(p: Params, state: FakeState): StoredMessage {
  if (p.inline_message_id !== undefined) throw badRequest("MESSAGE_ID_INVALID"); // inline messages are not modelled
  const chatId = chatIdOf(p);
  const messageId = intOf(p, "message_id", "message identifier is not specified");
  const m = state.findMessage(chatId, messageId);
  if (!m) throw badRequest("message to edit not found");
  if (m.sender !== "bot") throw badRequest("message can't be edited");
  return m;
}

function markEdited(state: FakeState, m: StoredMessage): Message {
  m.edit_date = unixNow();
  m.edits++;
  state.emit({ type: "message", change: "edited", message: m });
  return state.toMessage(m);
}

// ---- messages

const sendMessage: Handler = ({ p, state }) => {
  const chatId = chatIdOf(p);
  const record = writableChat(state, chatId);
  const thread = threadOf(p, record);
  const text = checkText(p.text);
  const markup = checkReplyMarkup(p.reply_markup);
  const stored = state.addMessage(chatId, compact({
    sender: "bot" as const,
    from: state.botUser,
    message_thread_id: thread,
    text,
    entities: checkEntities(p.entities, text),
    parse_mode: p.parse_mode as string | undefined,
    reply_markup: markup.inline,
    reply_keyboard: markup.other,
    reply_to_message_id: replyTargetOf(p, state, chatId),
    disable_notification: bool(p.disable_notification),
    link_preview_options: p.link_preview_options as StoredMessage["link_preview_options"],
  }));
  return state.toMessage(stored);
};

const editMessageText: Handler = ({ p, state }) => {
  const m = editableMessage(p, state);
  if (m.text === undefined) throw badRequest("there is no text in the message to edit");
  const text = checkText(p.text);
  const entities = checkEntities(p.entities, text);
  const markup = checkReplyMarkup(p.reply_markup).inline; // omitted markup removes the keyboard
  const same = m.text === text && canonicalEntities(m.entities) === canonicalEntities(entities) && canonical(m.reply_markup) === canonical(markup);
  if (same) throw badRequest(NOT_MODIFIED);
  Object.assign(m, { text, entities, reply_markup: markup, parse_mode: p.parse_mode });
  if (p.link_preview_options !== undefined) m.link_preview_options = p.link_preview_options as StoredMessage["link_preview_options"];
  return markEdited(state, m);
};

const editMessageCaption: Handler = ({ p, state }) => {
  const m = editableMessage(p, state);
  if (!m.document) throw badRequest("there is no caption in the message to edit");
  const caption = checkCaption(p.caption);
  const entities = checkEntities(p.caption_entities, caption ?? "");
  const markup = checkReplyMarkup(p.reply_markup).inline;
  const same = m.caption === caption && canonicalEntities(m.caption_entities) === canonicalEntities(entities) && canonical(m.reply_markup) === canonical(markup);
  if (same) throw badRequest(NOT_MODIFIED);
  Object.assign(m, { caption, caption_entities: entities, reply_markup: markup });
  return markEdited(state, m);
};

const editMessageReplyMarkup: Handler = ({ p, state }) => {
  const m = editableMessage(p, state);
  const markup = checkReplyMarkup(p.reply_markup).inline;
  if (canonical(m.reply_markup) === canonical(markup)) throw badRequest(NOT_MODIFIED);
  m.reply_markup = markup;
  return markEdited(state, m);
};

function deleteOne(state: FakeState, chatId: number, messageId: number): boolean {
  const m = state.findMessage(chatId, messageId);
  if (!m) return false;
  m.deleted = true;
  state.emit({ type: "message", change: "deleted", message: m });
  return true;
}

const deleteMessage: Handler = ({ p, state }) => {
  const chatId = chatIdOf(p);
  const messageId = intOf(p, "message_id", "message identifier is not specified");
  if (!deleteOne(state, chatId, messageId)) throw badRequest("message to delete not found");
  return true;
};

const deleteMessages: Handler = ({ p, state }) => {
  const chatId = chatIdOf(p);
  const ids = p.message_ids;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) throw badRequest("message_ids must be a non-empty Array of at most 100 Integers");
  for (const id of ids) deleteOne(state, chatId, Number(id));
  return true;
};

// ---- documents

async function uploadedFile(p: Params, files: Map<string, File>): Promise<File | string> {
  const direct = files.get("document");
  if (direct) return direct;
  const value = p.document;
  if (value === undefined || value === "") throw badRequest("there is no document in the request");
  const name = String(value).match(/^attach:\/\/(.+)$/)?.[1];
  if (name === undefined) return String(value);
  const file = files.get(name);
  if (!file) throw badRequest(`wrong file identifier/HTTP URL specified (no part named "${name}" for attach://${name})`);
  return file;
}

const sendDocument: Handler = async ({ p, files, state }) => {
  const chatId = chatIdOf(p);
  const record = writableChat(state, chatId);
  const thread = threadOf(p, record);
  const caption = checkCaption(p.caption);
  const captionEntities = checkEntities(p.caption_entities, caption ?? "");
  const markup = checkReplyMarkup(p.reply_markup);
  const upload = await uploadedFile(p, files);
  let stored;
  if (typeof upload === "string") {
    stored = state.files.get(upload); // re-sending a known file_id
    if (!stored) throw badRequest("wrong file identifier/HTTP URL specified");
  } else {
    const bytes = new Uint8Array(await upload.arrayBuffer());
    if (bytes.length === 0) throw badRequest("file must be non-empty");
    const fileName = upload.name || "document";
    stored = state.storeFile(bytes, fileName, mimeTypeOf(fileName));
  }
  const message = state.addMessage(chatId, compact({
    sender: "bot" as const,
    from: state.botUser,
    message_thread_id: thread,
    document: stored.document,
    bytes: stored.bytes,
    caption,
    caption_entities: captionEntities,
    parse_mode: p.parse_mode as string | undefined,
    reply_markup: markup.inline,
    reply_keyboard: markup.other,
    reply_to_message_id: replyTargetOf(p, state, chatId),
    disable_notification: bool(p.disable_notification),
  }));
  return state.toMessage(message);
};

const getFile: Handler = ({ p, state }) => {
  const file = state.files.get(String(p.file_id ?? ""));
  if (!file) throw badRequest("invalid file_id");
  // Bots may download files up to 20 MB (a local Bot API server lifts this; the cloud one does not).
  if (file.bytes.length > 20 * 1024 * 1024) throw badRequest("file is too big");
  const { file_id, file_unique_id, file_size } = file.document;
  return { file_id, file_unique_id, file_size, file_path: file.file_path };
};

// ---- callbacks, actions, reactions, chats

const answerCallbackQuery: Handler = ({ p, state }) => {
  const id = String(p.callback_query_id ?? "");
  const text = p.text === undefined ? undefined : String(p.text);
  if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  if (!state.openCallbacks.delete(id)) throw badRequest("query is too old and response timeout expired or query ID is invalid");
  const answer = compact({ callback_query_id: id, text, show_alert: bool(p.show_alert), url: p.url as string | undefined, cache_time: p.cache_time as number | undefined, at: Date.now() });
  state.callbackAnswers.push(answer);
  state.emit({ type: "callback_answer", answer });
  return true;
};

const sendChatAction: Handler = ({ p, state }) => {
  const chatId = chatIdOf(p);
  const record = writableChat(state, chatId);
  const thread = threadOf(p, record);
  const action = String(p.action ?? "");
  if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
  const entry = compact({ chat_id: chatId, action, message_thread_id: thread, at: Date.now() });
  state.actions.push(entry);
  state.emit({ type: "action", action: entry });
  return true;
};

const setMessageReaction: Handler = ({ p, state }) => {
  const chatId = chatIdOf(p);
  const messageId = intOf(p, "message_id", "message identifier is not specified");
  const m = state.findMessage(chatId, messageId);
  if (!m) throw badRequest("MESSAGE_ID_INVALID");
  const reaction = checkReaction(p.reaction);
  m.reaction = reaction.length > 0 ? reaction : undefined;
  state.emit({ type: "message", change: "reaction", message: m });
  return true;
};

const leaveChat: Handler = ({ p, state }) => {
  state.leftChats.add(chatIdOf(p));
  return true;
};

const createForumTopic: Handler = ({ p, state }): ForumTopic => {
  const chatId = chatIdOf(p);
  const record = writableChat(state, chatId);
  const forum = record.chat.type === "supergroup" || (record.chat.type === "private" && state.bot.has_topics_enabled);
  if (!forum) throw badRequest("chat is not a forum");
  const name = String(p.name ?? "");
  if (name.length === 0) throw badRequest("TOPIC_TITLE_EMPTY");
  if (name.length > 128) throw badRequest("TOPIC_TITLE_TOO_LONG");
  const color = p.icon_color === undefined ? 7322096 : Number(p.icon_color);
  if (!TOPIC_COLORS.has(color)) throw badRequest("TOPIC_ICON_COLOR_INVALID");
  const topic = state.addTopic(chatId, name, color);
  return compact({ ...topic, icon_custom_emoji_id: p.icon_custom_emoji_id as string | undefined });
};

/** Renames a topic (the bot created it): unchanged → TOPIC_NOT_MODIFIED, as Telegram says. */
const editForumTopic: Handler = ({ p, state }) => {
  const chatId = chatIdOf(p);
  const record = writableChat(state, chatId);
  const id = p.message_thread_id;
  if (id === undefined) throw badRequest("message thread not found");
  const topic = record.topics.get(threadOf(p, record)!)!;
  if (p.name === undefined) return true;
  const name = String(p.name);
  if (name.length > 128) throw badRequest("TOPIC_TITLE_TOO_LONG");
  if (name.length === 0 || name === topic.name) throw badRequest("TOPIC_NOT_MODIFIED");
  record.topics.set(topic.message_thread_id, { ...topic, name });
  return true;
};

const sendMessageDraft: Handler = ({ p, state }) => {
  const chatId = chatIdOf(p);
  const record = writableChat(state, chatId);
  if (record.chat.type !== "private") throw badRequest("TEXTDRAFT_PEER_INVALID");
  const draftId = intOf(p, "draft_id", "draft_id is empty");
  if (draftId === 0) throw badRequest("draft_id must be non-zero");
  const thread = threadOf(p, record);
  const text = checkText(p.text, { allowEmpty: true }); // empty text shows "Thinking…"
  const draft = compact({
    chat_id: chatId,
    message_thread_id: thread,
    draft_id: draftId,
    text,
    entities: checkEntities(p.entities, text),
    can_stop: bool(p.can_stop),
    keep_on_stop: bool(p.keep_on_stop),
    at: Date.now(),
  });
  state.drafts.push(draft);
  state.emit({ type: "draft", draft });
  return true;
};

// ---- commands

const setMyCommands: Handler = ({ p, state }) => {
  const commands = checkCommands(p.commands);
  const key = commandKey(p.scope, p.language_code);
  if (commands.length === 0) state.commands.delete(key);
  else state.commands.set(key, commands);
  return true;
};

const getMyCommands: Handler = ({ p, state }) => state.commands.get(commandKey(p.scope, p.language_code)) ?? [];

const deleteMyCommands: Handler = ({ p, state }) => {
  state.commands.delete(commandKey(p.scope, p.language_code));
  return true;
};

// ---- the table

export const METHODS: Record<string, Handler> = {
  getMe: ({ state }) => state.bot,
  getUpdates: ({ p, updates, signal }) => updates.getUpdates(p, signal),
  setWebhook: ({ p, updates }) => updates.setWebhook(p),
  deleteWebhook: ({ p, updates }) => updates.deleteWebhook(p),
  getWebhookInfo: ({ updates }) => updates.webhookInfo(),
  sendMessage,
  editMessageText,
  editMessageCaption,
  editMessageReplyMarkup,
  deleteMessage,
  deleteMessages,
  sendDocument,
  getFile,
  answerCallbackQuery,
  sendChatAction,
  setMessageReaction,
  leaveChat,
  createForumTopic,
  editForumTopic,
  sendMessageDraft,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
};

/** Method names are case-insensitive in the Bot API. */
const BY_LOWER_NAME = new Map(Object.keys(METHODS).map((name) => [name.toLowerCase(), name]));

export const canonicalMethod = (name: string): string | undefined => BY_LOWER_NAME.get(name.toLowerCase());
