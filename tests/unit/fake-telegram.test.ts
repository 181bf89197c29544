// Tests of the fake Bot API itself, mostly through grammY as the client, so the fake is held to
// what a real grammY bot sends and expects. Waits are on events and promises, never on sleeps.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { run, sequentialize } from "@grammyjs/runner";
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { FakeTelegram, NOT_MODIFIED } from "../fakes/telegram-api";

const TOKEN = "4242:fake-token";
const CHAT = 7;

let fake: FakeTelegram;
let bot: Bot;

beforeEach(() => {
  fake = new FakeTelegram({ token: TOKEN });
  bot = new Bot(TOKEN, { client: { apiRoot: fake.url } });
});

afterEach(async () => {
  await fake.stop();
});

/** The GrammyError a call fails with (fails the test if it succeeds or fails otherwise). */
async function failure(call: Promise<unknown>): Promise<GrammyError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof GrammyError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

async function expectBadRequest(call: Promise<unknown>, description: string): Promise<void> {
  const err = await failure(call);
  expect({ code: err.error_code, description: err.description }).toEqual({ code: 400, description: `Bad Request: ${description}` });
}

async function raw(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fake.url}${path}`, init);
  return { status: res.status, body: await res.json() };
}

describe("getMe and routing", () => {
  test("getMe is a full UserFromGetMe; grammY's init takes the username from it", async () => {
    await bot.init();
    expect(bot.botInfo).toEqual({
      id: 4242,
      is_bot: true,
      first_name: "ra test",
      username: "ra_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    });
    await using topical = new FakeTelegram({ token: TOKEN, username: "other_bot", botInfo: { has_topics_enabled: true } });
    const me = await new Bot(TOKEN, { client: { apiRoot: topical.url } }).api.getMe();
    expect([me.username, me.has_topics_enabled]).toEqual(["other_bot", true]);
  });

  test("a wrong token is 401, an unknown method 404; /test/ paths and any method case work", async () => {
    const wrong = await failure(new Bot("4242:wrong", { client: { apiRoot: fake.url } }).api.getMe());
    expect([wrong.error_code, wrong.description]).toEqual([401, "Unauthorized"]);
    expect(await raw(`/bot${TOKEN}/frobnicate`)).toEqual({ status: 404, body: { ok: false, error_code: 404, description: "Not Found: method not found" } });
    const testEnv = new Bot(TOKEN, { client: { apiRoot: fake.url, environment: "test" } });
    expect((await testEnv.api.getMe()).id).toBe(4242);
    expect((await raw(`/bot${TOKEN}/getme`)).body.result.username).toBe("ra_test_bot");
    expect(fake.calls.map((c) => [c.method, c.response?.ok ? "ok" : c.response?.error_code])).toEqual([
      ["getMe", 401],
      ["frobnicate", 404],
      ["getMe", "ok"],
      ["getMe", "ok"],
    ]);
  });
});

describe("sendMessage", () => {
  test("returns a real Message: per-chat increasing ids shared with the user, unix seconds, the bot as sender", async () => {
    const before = Math.floor(Date.now() / 1000);
    const first = await bot.api.sendMessage(CHAT, "one");
    const second = await bot.api.sendMessage(CHAT, "two");
    const users = fake.userText(CHAT, "from the user");
    const third = await bot.api.sendMessage(CHAT, "three");
    const elsewhere = await bot.api.sendMessage(8, "other chat");
    expect([first.message_id, second.message_id, users.message_id, third.message_id, elsewhere.message_id]).toEqual([1, 2, 3, 4, 1]);
    expect(first.date).toBeGreaterThanOrEqual(before);
    expect(first.date).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(first).toEqual({
      message_id: 1,
      from: { id: 4242, is_bot: true, first_name: "ra test", username: "ra_test_bot" },
      chat: { id: CHAT, type: "private", first_name: "User7" },
      date: first.date,
      text: "one",
    });
    expect(fake.sent(CHAT)).toEqual(["one", "two", "three"]);
    expect(fake.history(CHAT).map((m) => m.sender)).toEqual(["bot", "bot", "user", "bot"]);
  });

  test("keeps entities, the inline keyboard, disable_notification, link_preview_options and the topic", async () => {
    await using topical = new FakeTelegram({ token: TOKEN, botInfo: { has_topics_enabled: true } });
    const api = new Bot(TOKEN, { client: { apiRoot: topical.url } }).api;
    const topic = await api.createForumTopic(CHAT, "laptop");
    const keyboard = new InlineKeyboard().text("✅ Allow", "p1:abc:a").text("❌ Deny", "p1:abc:d");
    const entities = [{ type: "bold" as const, offset: 0, length: 4 }];
    const sent = await api.sendMessage(CHAT, "Bold move", {
      entities,
      reply_markup: keyboard,
      disable_notification: true,
      link_preview_options: { is_disabled: true },
      message_thread_id: topic.message_thread_id,
    });
    expect(sent).toMatchObject({ text: "Bold move", entities, reply_markup: { inline_keyboard: keyboard.inline_keyboard }, message_thread_id: topic.message_thread_id, is_topic_message: true });
    expect(topical.chat(CHAT)[0]).toMatchObject({
      text: "Bold move",
      entities,
      disable_notification: true,
      link_preview_options: { is_disabled: true },
      message_thread_id: topic.message_thread_id,
      edits: 0,
      deleted: false,
    });
  });

  test("text must be 1..4096 UTF-16 code units and not blank", async () => {
    await expectBadRequest(bot.api.sendMessage(CHAT, ""), "message text is empty");
    await expectBadRequest(bot.api.sendMessage(CHAT, " \n "), "message text is empty");
    await expectBadRequest(bot.api.sendMessage(CHAT, "x".repeat(4097)), "message is too long");
    await expectBadRequest(bot.api.sendMessage(CHAT, "😀".repeat(2048) + "x"), "message is too long");
    await bot.api.sendMessage(CHAT, "x".repeat(4096));
    await bot.api.sendMessage(CHAT, "😀".repeat(2048));
    expect(fake.sent(CHAT).map((t) => t.length)).toEqual([4096, 4096]);
  });

  test("entity ranges are checked in UTF-16 code units", async () => {
    const text = "😀 bold"; // the emoji is two code units
    await bot.api.sendMessage(CHAT, text, { entities: [{ type: "bold", offset: 3, length: 4 }] });
    for (const entity of [
      { type: "bold" as const, offset: 3, length: 5 },
      { type: "bold" as const, offset: -1, length: 2 },
      { type: "italic" as const, offset: 0, length: 0 },
    ]) {
      const err = await failure(bot.api.sendMessage(CHAT, text, { entities: [entity] }));
      expect(err.error_code).toBe(400);
      expect(err.description).toStartWith("Bad Request: can't parse entities: ");
    }
    const link = await failure(bot.api.sendMessage(CHAT, text, { entities: [{ type: "text_link", offset: 0, length: 2 } as never] }));
    expect(link.description).toContain(`Can't find field "url"`);
    expect(fake.sent(CHAT)).toEqual([text]);
  });

  test("callback_data is limited to 64 bytes of UTF-8, and every button needs an action", async () => {
    await bot.api.sendMessage(CHAT, "ok", { reply_markup: new InlineKeyboard().text("a", "x".repeat(64)) });
    const cyrillic = "й".repeat(33); // 33 characters, 66 bytes
    await expectBadRequest(bot.api.sendMessage(CHAT, "no", { reply_markup: new InlineKeyboard().text("a", cyrillic) }), "BUTTON_DATA_INVALID");
    await expectBadRequest(bot.api.sendMessage(CHAT, "no", { reply_markup: { inline_keyboard: [[{ text: "bare" } as never]] } }), "text buttons are unallowed in the inline keyboard");
    expect(fake.sent(CHAT)).toEqual(["ok"]);
  });

  test("form, urlencoded and query-string bodies are coerced like JSON ones; reply_markup may be a JSON string", async () => {
    const markup = JSON.stringify({ inline_keyboard: [[{ text: "Go", callback_data: "go" }]] });
    const form = new URLSearchParams({ chat_id: "7", text: "42", disable_notification: "true", reply_markup: markup });
    const viaForm = await raw(`/bot${TOKEN}/sendMessage`, { method: "POST", body: form });
    expect(viaForm.body.result).toMatchObject({ chat: { id: 7 }, text: "42", reply_markup: { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] } });
    const viaQuery = await raw(`/bot${TOKEN}/sendMessage?chat_id=7&text=${encodeURIComponent("from a query")}`);
    expect(viaQuery.body.ok).toBe(true);
    const json = { chat_id: "7", text: "json with a string keyboard", reply_markup: markup };
    await raw(`/bot${TOKEN}/sendMessage`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(json) });
    expect(fake.calls[0]!.payload).toEqual({ chat_id: 7, text: "42", disable_notification: true, reply_markup: JSON.parse(markup) });
    const [first, , third] = fake.chat(CHAT);
    expect([first?.disable_notification, first?.reply_markup, third?.reply_markup]).toEqual([true, JSON.parse(markup), JSON.parse(markup)]);
  });
});

describe("edits and deletes", () => {
  test("editMessageText returns the edited Message with edit_date, and the chat shows the new state", async () => {
    const sent = await bot.api.sendMessage(CHAT, "working…", { reply_markup: new InlineKeyboard().text("Stop", "stop") });
    const edited = await bot.api.editMessageText(CHAT, sent.message_id, "done", { entities: [{ type: "italic", offset: 0, length: 4 }] });
    if (edited === true) throw new Error("a chat message edit returns the Message, not true");
    expect(edited).toMatchObject({ message_id: sent.message_id, date: sent.date, text: "done", entities: [{ type: "italic", offset: 0, length: 4 }] });
    expect(edited.edit_date).toBeGreaterThanOrEqual(sent.date);
    expect(edited.reply_markup).toBeUndefined(); // an edit without reply_markup removes the keyboard
    expect(fake.chat(CHAT)).toMatchObject([{ text: "done", edits: 1, reply_markup: undefined }]);
  });

  test("an edit that changes nothing is 'message is not modified'; a markup change alone is an edit", async () => {
    const keyboard = new InlineKeyboard().text("Allow", "a");
    const sent = await bot.api.sendMessage(CHAT, "same", { entities: [{ type: "bold", offset: 0, length: 4 }], reply_markup: keyboard });
    await expectBadRequest(
      bot.api.editMessageText(CHAT, sent.message_id, "same", { entities: [{ type: "bold", offset: 0, length: 4 }], reply_markup: keyboard }),
      NOT_MODIFIED,
    );
    expect(NOT_MODIFIED).toBe(
      "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    );
    await bot.api.editMessageText(CHAT, sent.message_id, "same", { entities: [{ type: "bold", offset: 0, length: 4 }] });
    await expectBadRequest(bot.api.editMessageText(CHAT, sent.message_id, "same", { entities: [{ type: "bold", offset: 0, length: 4 }] }), NOT_MODIFIED);
    expect(fake.chat(CHAT)[0]!.edits).toBe(1);
  });

  test("edit errors: unknown, deleted or someone else's message, too long, empty", async () => {
    const sent = await bot.api.sendMessage(CHAT, "hello");
    const users = fake.userText(CHAT, "mine");
    await expectBadRequest(bot.api.editMessageText(CHAT, 99, "x"), "message to edit not found");
    await expectBadRequest(bot.api.editMessageText(CHAT, users.message_id, "x"), "message can't be edited");
    await expectBadRequest(bot.api.editMessageText(CHAT, sent.message_id, "x".repeat(4097)), "message is too long");
    await expectBadRequest(bot.api.editMessageText(CHAT, sent.message_id, ""), "message text is empty");
    await bot.api.deleteMessage(CHAT, sent.message_id);
    await expectBadRequest(bot.api.editMessageText(CHAT, sent.message_id, "x"), "message to edit not found");
  });

  test("editMessageReplyMarkup replaces or removes the keyboard", async () => {
    const sent = await bot.api.sendMessage(CHAT, "choose", { reply_markup: new InlineKeyboard().text("A", "a") });
    const edited = await bot.api.editMessageReplyMarkup(CHAT, sent.message_id, { reply_markup: new InlineKeyboard().text("B", "b") });
    expect(edited === true ? null : edited.reply_markup).toEqual({ inline_keyboard: [[{ text: "B", callback_data: "b" }]] });
    await bot.api.editMessageReplyMarkup(CHAT, sent.message_id);
    expect(fake.chat(CHAT)[0]).toMatchObject({ text: "choose", reply_markup: undefined, edits: 2 });
    await expectBadRequest(bot.api.editMessageReplyMarkup(CHAT, sent.message_id), NOT_MODIFIED);
  });

  test("deleteMessage works once; the chat keeps the message flagged as deleted", async () => {
    const a = await bot.api.sendMessage(CHAT, "keep");
    const b = await bot.api.sendMessage(CHAT, "drop");
    expect(await bot.api.deleteMessage(CHAT, b.message_id)).toBe(true);
    await expectBadRequest(bot.api.deleteMessage(CHAT, b.message_id), "message to delete not found");
    expect(fake.chat(CHAT).map((m) => [m.message_id, m.deleted])).toEqual([[a.message_id, false], [b.message_id, true]]);
    expect(fake.sent(CHAT)).toEqual(["keep"]);
  });
});

describe("callback queries", () => {
  test("a tap is a callback_query with the message as it is now; the answer is recorded once", async () => {
    const sent = await bot.api.sendMessage(CHAT, "Run `rm -rf build`?", { reply_markup: new InlineKeyboard().text("Allow", "p1:x:a") });
    const id = fake.clickButton(CHAT, sent.message_id, "p1:x:a");
    const [update] = await bot.api.getUpdates();
    expect(update?.callback_query).toEqual({
      id,
      from: { id: CHAT, is_bot: false, first_name: "User7", language_code: "en" },
      message: { ...sent, reply_markup: { inline_keyboard: [[{ text: "Allow", callback_data: "p1:x:a" }]] } },
      chat_instance: expect.any(String),
      data: "p1:x:a",
    });
    expect(await bot.api.answerCallbackQuery(id, { text: "Allowed", show_alert: true })).toBe(true);
    expect(fake.callbackAnswer(id)).toMatchObject({ text: "Allowed", show_alert: true });
    const tooOld = "query is too old and response timeout expired or query ID is invalid";
    await expectBadRequest(bot.api.answerCallbackQuery(id), tooOld);
    await expectBadRequest(bot.api.answerCallbackQuery("12345"), tooOld);
  });

  test("a tap on a deleted message carries an InaccessibleMessage", async () => {
    const sent = await bot.api.sendMessage(CHAT, "gone soon", { reply_markup: new InlineKeyboard().text("A", "a") });
    await bot.api.deleteMessage(CHAT, sent.message_id);
    fake.clickButton(CHAT, sent.message_id, "a", 99);
    const [update] = await bot.api.getUpdates();
    expect(update?.callback_query?.message).toEqual({ chat: { id: CHAT, type: "private", first_name: "User7" }, message_id: sent.message_id, date: 0 });
    expect(update?.callback_query?.from.id).toBe(99);
  });
});

describe("getUpdates", () => {
  test("offset confirms, limit caps, a negative offset keeps the tail", async () => {
    for (const text of ["a", "b", "c"]) fake.userText(CHAT, text);
    const texts = (updates: Update[]) => updates.map((u) => u.message?.text);
    expect(texts(await bot.api.getUpdates())).toEqual(["a", "b", "c"]);
    expect(texts(await bot.api.getUpdates({ limit: 2 }))).toEqual(["a", "b"]);
    expect(texts(await bot.api.getUpdates({ offset: 3 }))).toEqual(["c"]);
    expect(fake.pendingUpdates.map((u) => u.update_id)).toEqual([3]);
    fake.userText(CHAT, "d");
    fake.userText(CHAT, "e");
    expect(texts(await bot.api.getUpdates({ offset: -1 }))).toEqual(["e"]);
    expect(texts(await bot.api.getUpdates())).toEqual(["e"]);
  });

  test("a long poll is answered as soon as an update arrives", async () => {
    const poll = bot.api.getUpdates({ timeout: 30 });
    await fake.waitFor(() => fake.polling, { message: "the poll to be held" });
    fake.userText(CHAT, "wake up");
    const updates = await poll;
    expect(updates.map((u) => [u.update_id, u.message?.text])).toEqual([[1, "wake up"]]);
    expect(fake.polling).toBe(false);
  });

  test("a long poll with nothing to deliver ends with [] at its timeout", async () => {
    const started = Date.now();
    expect(await bot.api.getUpdates({ timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test("the newest poll wins: the older one gets 409", async () => {
    const older = failure(bot.api.getUpdates({ timeout: 30 }));
    await fake.waitFor(() => fake.polling);
    const newer = bot.api.getUpdates({ timeout: 30 });
    const err = await older;
    expect([err.error_code, err.description]).toEqual([409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"]);
    await fake.waitFor(() => fake.polling, { message: "the newer poll to be held" });
    fake.userText(CHAT, "for the newer one");
    expect((await newer).map((u) => u.message?.text)).toEqual(["for the newer one"]);
  });

  test("a client abort releases the held poll", async () => {
    const controller = new AbortController();
    // grammY's Node typings name the abort-controller polyfill's AbortSignal; the runtime takes the built-in one.
    const signal = controller.signal as unknown as Parameters<typeof bot.api.getUpdates>[1];
    const poll = bot.api.getUpdates({ timeout: 30 }, signal).catch((err: unknown) => err);
    await fake.waitFor(() => fake.polling);
    controller.abort();
    await fake.waitFor(() => !fake.polling, { timeoutMs: 5_000, message: "the aborted poll to be released" });
    expect(await poll).toBeInstanceOf(Error);
  });

  test("allowed_updates filters updates created after it is set; the default leaves out reactions", async () => {
    expect(fake.pushUpdate({ message_reaction: { chat: { id: CHAT, type: "private", first_name: "x" }, message_id: 1, date: 0, old_reaction: [], new_reaction: [] } })).toBeNull();
    const sent = await bot.api.sendMessage(CHAT, "tap me", { reply_markup: new InlineKeyboard().text("A", "a") });
    await bot.api.getUpdates({ allowed_updates: ["callback_query"] });
    fake.userText(CHAT, "ignored");
    fake.clickButton(CHAT, sent.message_id, "a");
    const updates = await bot.api.getUpdates();
    expect(updates.map((u) => Object.keys(u).filter((k) => k !== "update_id"))).toEqual([["callback_query"]]);
  });

  test("getUpdates is a 409 while a webhook is set, and setWebhook ends a held poll", async () => {
    const held = failure(bot.api.getUpdates({ timeout: 30 }));
    await fake.waitFor(() => fake.polling);
    await bot.api.setWebhook("http://127.0.0.1:9/hook");
    expect((await held).description).toBe("Conflict: terminated by setWebhook request");
    const err = await failure(bot.api.getUpdates());
    expect([err.error_code, err.description]).toEqual([409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"]);
    await bot.api.deleteWebhook();
    expect(await bot.api.getUpdates()).toEqual([]);
  });
});

describe("a real bot on @grammyjs/runner", () => {
  test("every update is handled once, in order, and offsets confirm them", async () => {
    const handled: number[] = [];
    bot.use(sequentialize((ctx) => String(ctx.chat?.id)));
    bot.on("message:text", async (ctx) => {
      handled.push(ctx.update.update_id);
      await ctx.reply(`echo: ${ctx.msg.text}`);
    });
    bot.command("status", (ctx) => ctx.reply("status ok"));
    const runner = run(bot);
    try {
      for (const text of ["one", "two", "three"]) fake.userText(CHAT, text);
      await fake.waitFor(() => fake.sent(CHAT).length === 3, { timeoutMs: 5_000, message: "three echoes" });
      fake.userText(CHAT, "four");
      await fake.waitFor(() => fake.sent(CHAT).length === 4 && fake.pendingUpdates.length === 0, { timeoutMs: 5_000, message: "the fourth echo, confirmed" });
    } finally {
      await runner.stop();
    }
    expect(handled).toEqual([1, 2, 3, 4]);
    expect(fake.sent(CHAT)).toEqual(["echo: one", "echo: two", "echo: three", "echo: four"]);
    const offsets = fake.callsTo("getUpdates").map((c) => Number(c.payload.offset ?? 0));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets.at(-1)).toBe(5);
    expect(fake.pendingUpdates).toEqual([]);
  });

  test("commands addressed to the bot by username match in groups; others' do not", async () => {
    const seen: string[] = [];
    bot.command("status", (ctx) => {
      seen.push(ctx.msg.text);
    });
    const runner = run(bot);
    try {
      fake.userText(-100, "/status@other_bot", { fromId: 5 });
      fake.userText(-100, "/status@ra_test_bot now", { fromId: 5 });
      await fake.waitFor(() => fake.pendingUpdates.length === 0 && fake.polling, { timeoutMs: 5_000, message: "both updates to be confirmed" });
    } finally {
      await runner.stop();
    }
    expect(seen).toEqual(["/status@ra_test_bot now"]);
    expect(fake.history(-100)[1]).toMatchObject({ entities: [{ type: "bot_command", offset: 0, length: "/status@ra_test_bot".length }], from: { id: 5 } });
  });
});

describe("fault injection and flood control", () => {
  test("a 429 reaches grammY as GrammyError with parameters.retry_after; the fault wears off", async () => {
    fake.injectFault("sendMessage", { error_code: 429, retry_after: 7, count: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await failure(bot.api.sendMessage(CHAT, "hi"));
      expect([err.error_code, err.description, err.parameters]).toEqual([429, "Too Many Requests: retry after 7", { retry_after: 7 }]);
    }
    await bot.api.sendMessage(CHAT, "hi");
    fake.injectFault("*", { error_code: 403 });
    const blocked = await failure(bot.api.sendChatAction(CHAT, "typing"));
    expect([blocked.error_code, blocked.description]).toEqual([403, "Forbidden: bot was blocked by the user"]);
    expect(fake.sent(CHAT)).toEqual(["hi"]);
    expect(fake.calls.map((c) => (c.response?.ok ? "ok" : c.response?.error_code))).toEqual([429, 429, "ok", 403]);
  });

  test("intervals between writes to a chat are measured; flood control answers too-fast writes with 429", async () => {
    await using strict = new FakeTelegram({ token: TOKEN, floodControl: { minIntervalMs: 60_000, retryAfter: 3 } });
    const api = new Bot(TOKEN, { client: { apiRoot: strict.url } }).api;
    const sent = await api.sendMessage(CHAT, "first");
    const err = await failure(api.editMessageText(CHAT, sent.message_id, "too soon"));
    expect([err.error_code, err.parameters.retry_after]).toEqual([429, 3]);
    await api.sendMessage(8, "another chat is fine");
    expect(strict.intervals(CHAT)).toHaveLength(1);
    expect(strict.minInterval(CHAT)).toBeGreaterThanOrEqual(0);
    expect(strict.minInterval(8)).toBe(Infinity);
  });

  test("documented limits: a second call to a chat within a second (a chat action too) gets 429 with retry_after; other chats and chat-less calls go on", async () => {
    await using strict = new FakeTelegram({ token: TOKEN, documentedLimits: { retryAfter: 2 } });
    const api = new Bot(TOKEN, { client: { apiRoot: strict.url } }).api;
    await api.sendMessage(CHAT, "first");
    const err = await failure(api.sendChatAction(CHAT, "typing"));
    expect([err.error_code, err.description, err.parameters.retry_after]).toEqual([429, "Too Many Requests: retry after 2", 2]);
    await api.sendMessage(8, "another chat is fine");
    await api.getMe();
    expect(strict.limits!.rejected.map((r) => [r.method, r.chatId])).toEqual([["sendChatAction", CHAT]]);
    expect(strict.chat(CHAT).map((m) => m.text)).toEqual(["first"]);
  });
});

describe("documents", () => {
  test("sendDocument with an InputFile: the bytes, name and caption arrive; the file can be fetched back", async () => {
    const content = "# Transcript\n\nAll 3 tests passed ✅\n";
    const message = await bot.api.sendDocument(CHAT, new InputFile(new TextEncoder().encode(content), "x.md"), { caption: "the whole run", disable_notification: true });
    const size = new TextEncoder().encode(content).length;
    expect(message.document).toEqual({ file_id: expect.any(String), file_unique_id: expect.any(String), file_name: "x.md", mime_type: "text/markdown", file_size: size });
    expect(message.caption).toBe("the whole run");
    expect(fake.callsTo("sendDocument")[0]!.payload.document).toStartWith("attach://");
    expect(fake.documents(CHAT)).toEqual([{ message_id: message.message_id, file_name: "x.md", mime_type: "text/markdown", caption: "the whole run", bytes: expect.any(Uint8Array), text: content }]);
    expect(fake.chat(CHAT)[0]!.disable_notification).toBe(true);

    const file = await bot.api.getFile(message.document!.file_id);
    const downloaded = await fetch(`${fake.url}/file/bot${TOKEN}/${file.file_path}`);
    expect(await downloaded.text()).toBe(content);

    const again = await bot.api.sendDocument(CHAT, message.document!.file_id);
    expect(again.document?.file_id).toBe(message.document!.file_id);
    await expectBadRequest(bot.api.sendDocument(CHAT, new InputFile(new Uint8Array(0), "empty.txt")), "file must be non-empty");
    await expectBadRequest(bot.api.sendDocument(CHAT, new InputFile(new Uint8Array(1), "a.txt"), { caption: "c".repeat(1025) }), "message caption is too long");
  });

  test("multipart bodies: nested objects arrive as JSON strings, a file may be a plain form part", async () => {
    const keyboard = new InlineKeyboard().text("Open", "open:1");
    const withMarkup = await bot.api.sendDocument(CHAT, new InputFile(new TextEncoder().encode("diff"), "change.diff"), {
      reply_markup: keyboard,
      caption_entities: [{ type: "code", offset: 0, length: 4 }],
      caption: "diff",
    });
    expect(withMarkup).toMatchObject({ caption_entities: [{ type: "code", offset: 0, length: 4 }], reply_markup: { inline_keyboard: keyboard.inline_keyboard }, document: { mime_type: "text/x-diff" } });
    const form = new FormData();
    form.append("chat_id", String(CHAT));
    form.append("document", new File(["plain part"], "direct.txt"));
    const direct = await raw(`/bot${TOKEN}/sendDocument`, { method: "POST", body: form });
    expect(direct.body.result.document).toMatchObject({ file_name: "direct.txt", mime_type: "text/plain", file_size: 10 });
    expect(fake.documents(CHAT).map((d) => d.text)).toEqual(["diff", "plain part"]);
  });
});

describe("webhooks", () => {
  test("updates are POSTed with the secret header to grammY's webhookCallback, which answers through the fake", async () => {
    const hookBot = new Bot(TOKEN, { client: { apiRoot: fake.url } });
    hookBot.on("message:text", (ctx) => ctx.reply(`got ${ctx.msg.text}`));
    using receiver = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: webhookCallback(hookBot, "bun", { secretToken: "s3cret" }) });
    const url = `http://127.0.0.1:${receiver.port}/hook`;
    await bot.api.setWebhook(url, { secret_token: "s3cret", allowed_updates: ["message"] });
    expect(await bot.api.getWebhookInfo()).toEqual({ url, has_custom_certificate: false, pending_update_count: 0, max_connections: 40, allowed_updates: ["message"] });
    fake.userText(CHAT, "ping");
    // grammY replies while the delivery is still open, so wait for both.
    await fake.waitFor(() => fake.sent(CHAT).includes("got ping") && fake.webhookDeliveries.length > 0, { timeoutMs: 5_000, message: "the reply and the delivery" });
    expect(fake.webhookDeliveries).toEqual([{ update_id: 1, attempt: 1, status: 200, secret_header: "s3cret", at: expect.any(Number) }]);
    expect(fake.pendingUpdates).toEqual([]);
  });

  test("non-2xx answers are retried a bounded number of times, then the update is dropped and the error reported", async () => {
    await using hooked = new FakeTelegram({ token: TOKEN, webhook: { attempts: 3, retryDelayMs: 1 } });
    const api = new Bot(TOKEN, { client: { apiRoot: hooked.url } }).api;
    const received: Array<{ id: number; secret: string | null }> = [];
    let failuresLeft = 2;
    using receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        const update = (await req.json()) as Update;
        received.push({ id: update.update_id, secret: req.headers.get("x-telegram-bot-api-secret-token") });
        return new Response(null, { status: failuresLeft-- > 0 ? 500 : 200 });
      },
    });
    await api.setWebhook(`http://127.0.0.1:${receiver.port}/`, { secret_token: "abc" });
    hooked.userText(CHAT, "retry me");
    await hooked.waitFor(() => hooked.webhookDeliveries.some((d) => d.status === 200), { timeoutMs: 5_000 });
    expect(hooked.webhookDeliveries.map((d) => [d.update_id, d.attempt, d.status])).toEqual([[1, 1, 500], [1, 2, 500], [1, 3, 200]]);
    expect(received).toEqual([1, 1, 1].map((id) => ({ id, secret: "abc" })));

    failuresLeft = Infinity;
    hooked.userText(CHAT, "never accepted");
    await hooked.waitFor(() => hooked.webhookDeliveries.filter((d) => d.update_id === 2).length === 3, { timeoutMs: 5_000 });
    const info = await api.getWebhookInfo();
    expect(info.pending_update_count).toBe(0);
    expect(info.last_error_message).toContain("500");
  });

  test("deleteWebhook can drop pending updates and says what it did", async () => {
    await bot.api.setWebhook("http://127.0.0.1:9/unreachable");
    await bot.api.deleteWebhook();
    fake.userText(CHAT, "queued");
    const dropped = await raw(`/bot${TOKEN}/deleteWebhook?drop_pending_updates=true`);
    expect(dropped.body).toEqual({ ok: true, result: true, description: "Webhook is already deleted" });
    expect(fake.pendingUpdates).toEqual([]);
    await expectBadRequest(bot.api.setWebhook("http://example.com/hook"), "bad webhook: the fake Bot API delivers only to loopback addresses");
  });
});

describe("commands, drafts, reactions, topics, actions", () => {
  test("setMyCommands validates names and keeps one list per scope", async () => {
    await bot.api.setMyCommands([{ command: "stop", description: "Stop the run" }]);
    await bot.api.setMyCommands([{ command: "pair", description: "Pair a machine" }], { scope: { type: "all_private_chats" } });
    expect(await bot.api.getMyCommands()).toEqual([{ command: "stop", description: "Stop the run" }]);
    expect(fake.commands({ type: "all_private_chats" })).toEqual([{ command: "pair", description: "Pair a machine" }]);
    await expectBadRequest(bot.api.setMyCommands([{ command: "Stop", description: "x" }]), "BOT_COMMAND_INVALID");
    await expectBadRequest(bot.api.setMyCommands([{ command: "a".repeat(33), description: "x" }]), "BOT_COMMAND_INVALID");
    await expectBadRequest(bot.api.setMyCommands([{ command: "ok" } as never]), `can't parse BotCommand: Can't find field "description"`);
    await bot.api.deleteMyCommands();
    expect(await bot.api.getMyCommands()).toEqual([]);
  });

  test("sendMessageDraft records snapshots in private chats only, with a non-zero draft_id", async () => {
    await bot.api.sendMessageDraft(CHAT, 5, "");
    await bot.api.sendMessageDraft(CHAT, 5, "Hel");
    await bot.api.sendMessageDraft(CHAT, 5, "Hello", { can_stop: true });
    expect(fake.drafts(CHAT).map((d) => [d.draft_id, d.text, d.can_stop])).toEqual([[5, "", undefined], [5, "Hel", undefined], [5, "Hello", true]]);
    await expectBadRequest(bot.api.sendMessageDraft(CHAT, 0, "x"), "draft_id must be non-zero");
    await expectBadRequest(bot.api.sendMessageDraft(-100, 1, "x"), "TEXTDRAFT_PEER_INVALID");
    const id = fake.stopDraft(CHAT, 5);
    const [update] = await bot.api.getUpdates();
    expect([update?.update_id, update?.stopped_message_generation?.draft_id]).toEqual([id ?? -1, 5]);
  });

  test("setMessageReaction: one reaction from the allowed list, on an existing message", async () => {
    const prompt = fake.userText(CHAT, "do the thing");
    await bot.api.setMessageReaction(CHAT, prompt.message_id, [{ type: "emoji", emoji: "👀" }]);
    expect(fake.history(CHAT)[0]!.reaction).toEqual([{ type: "emoji", emoji: "👀" }]);
    await expectBadRequest(bot.api.setMessageReaction(CHAT, prompt.message_id, [{ type: "emoji", emoji: "🚀" as never }]), "REACTION_INVALID");
    await expectBadRequest(bot.api.setMessageReaction(CHAT, prompt.message_id, [{ type: "emoji", emoji: "👍" }, { type: "emoji", emoji: "🔥" }]), "REACTIONS_TOO_MANY");
    await expectBadRequest(bot.api.setMessageReaction(CHAT, 404, [{ type: "emoji", emoji: "👍" }]), "MESSAGE_ID_INVALID");
    await bot.api.setMessageReaction(CHAT, prompt.message_id, []);
    expect(fake.history(CHAT)[0]!.reaction).toBeUndefined();
  });

  test("createForumTopic needs topics enabled; messages name existing threads only", async () => {
    await expectBadRequest(bot.api.createForumTopic(CHAT, "laptop"), "chat is not a forum");
    await using topical = new FakeTelegram({ token: TOKEN, botInfo: { has_topics_enabled: true } });
    const api = new Bot(TOKEN, { client: { apiRoot: topical.url } }).api;
    await api.sendMessage(CHAT, "before");
    const topic = await api.createForumTopic(CHAT, "laptop");
    expect(topic).toEqual({ message_thread_id: 2, name: "laptop", icon_color: 7322096 });
    expect((await api.sendMessage(CHAT, "in the topic", { message_thread_id: 2 })).message_id).toBe(3);
    await expectBadRequest(api.sendMessage(CHAT, "nowhere", { message_thread_id: 77 }), "message thread not found");
    topical.userText(CHAT, "from a user topic", { threadId: 77 });
    await api.sendMessage(CHAT, "now it exists", { message_thread_id: 77 });
    expect(topical.topics(CHAT).map((t) => t.message_thread_id)).toEqual([2, 77]);
  });

  test("sendChatAction is recorded; leaving a group makes sends to it 403", async () => {
    await bot.api.sendChatAction(CHAT, "typing");
    await expectBadRequest(bot.api.sendChatAction(CHAT, "dancing" as never), "wrong parameter action in request");
    expect(fake.actions(CHAT).map((a) => a.action)).toEqual(["typing"]);
    fake.userText(-5, "hi all", { fromId: 3 });
    await bot.api.leaveChat(-5);
    const err = await failure(bot.api.sendMessage(-5, "still here?"));
    expect([err.error_code, err.description]).toEqual([403, "Forbidden: bot is not a member of the group chat"]);
  });
});

describe("waiting and lifecycle", () => {
  test("waitFor resolves with the predicate's value when a call changes the state", async () => {
    const found = fake.waitFor(() => fake.chat(CHAT).find((m) => m.text === "target"), { timeoutMs: 5_000 });
    await bot.api.sendMessage(CHAT, "noise");
    await bot.api.sendMessage(CHAT, "target");
    expect((await found).message_id).toBe(2);
  });

  test("waitFor re-checks on events only, and its timeout names the wait and the recent calls", async () => {
    await bot.api.sendMessage(CHAT, "the only message");
    let checks = 0;
    const wait = fake.waitFor(() => ++checks > 1000, { timeoutMs: 100, message: "the impossible" });
    const err = (await wait.catch((e: unknown) => e)) as Error;
    expect(checks).toBe(1); // nothing happened, so nothing was re-checked
    expect(err.message).toStartWith("timed out after 100 ms waiting for the impossible");
    expect(err.message).toContain(`sendMessage {"chat_id":7,"text":"the only message"} → ok`);
  });

  test("stop rejects pending waits; `await using` stops the server", async () => {
    const pending = fake.waitFor(() => false, { message: "never" }).catch((e: Error) => e.message);
    await fake.stop();
    expect(await pending).toStartWith("the fake Telegram was stopped waiting for never");
    let url: string;
    {
      await using scoped = new FakeTelegram();
      url = scoped.url;
      expect((await fetch(`${url}/bot123456:TEST/getMe`)).status).toBe(200);
    }
    expect(await fetch(`${url}/bot123456:TEST/getMe`).then(() => "answered", () => "refused")).toBe("refused");
  });
});

describe("control over HTTP", () => {
  test("/_fake routes send, click, inject faults and show the chat", async () => {
    const post = (path: string, body: unknown) => raw(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post("/_fake/send", { chat_id: CHAT, text: "hello bot" })).body.result).toMatchObject({ message_id: 1, text: "hello bot" });
    const card = await bot.api.sendMessage(CHAT, "Allow?", { reply_markup: new InlineKeyboard().text("Allow", "p1:q:a") });
    const click = await post("/_fake/click", { chat_id: CHAT, message_id: card.message_id, button: "Allow" });
    expect(click.body.result.callback_query_id).toEqual(expect.any(String));
    expect((await bot.api.getUpdates()).map((u) => u.message?.text ?? u.callback_query?.data)).toEqual(["hello bot", "p1:q:a"]);
    await post("/_fake/fault", { method: "sendMessage", error_code: 429, retry_after: 2 });
    expect((await failure(bot.api.sendMessage(CHAT, "x"))).parameters.retry_after).toBe(2);
    const chat = await raw(`/_fake/chat/${CHAT}`);
    expect(chat.body.result.map((m: { text: string }) => m.text)).toEqual(["Allow?"]);
    expect((await raw("/_fake/nothing-here")).status).toBe(404);
  });

  test("the standalone server prints its URL, then the bot's messages as they appear", async () => {
    const proc = Bun.spawn([process.execPath, "tests/fakes/telegram-api-main.ts", "--port", "0"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    try {
      const lines = lineReader(proc.stdout);
      const url = await lines.next();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const devBot = new Bot("999:any-token-works", { client: { apiRoot: url } });
      await devBot.api.sendMessage(5, "hello from grammY", { reply_markup: new InlineKeyboard().text("OK", "ok") });
      expect(await lines.next()).toBe("→ [chat 5 #1] bot: hello from grammY");
      expect(await lines.next()).toBe("    [OK → ok]");
    } finally {
      proc.kill();
      await proc.exited;
    }
  });
});

/** Reads a process's stdout line by line, each `next()` waiting for the following line. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<string> {
      while (!buffer.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stdout ended; got so far: ${JSON.stringify(buffer)}`);
        buffer += decoder.decode(value, { stream: true });
      }
      const newline = buffer.indexOf("\n");
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      return line;
    },
  };
}
