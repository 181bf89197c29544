// What the owner sees of a turn in Telegram beyond the answer itself: typing, tool activity,
// long answers, notifications. Through the compiled binary against the fake Bot API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Call, StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;

const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
const entityText = (m: StoredMessage, type: string) => (m.entities ?? []).filter((e) => e.type === type).map((e) => m.text!.slice(e.offset, e.offset + e.length));

beforeAll(async () => {
  // A short silence threshold so the "still working?" notice comes within the test. The fake Bot
  // API enforces Telegram's documented limits strictly, and ra serve runs with its default pacing.
  stack = await startStack({ serveArgs: ["--silence-notice", "2"], documentedLimits: true });
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe("a turn in Telegram", () => {
  test("the status message shows at once and the first words come in its first edit, with no typing… ahead of them; typing… only while nothing new shows", async () => {
    const { telegram, model } = stack;
    // A first turn starts claude; from then on it answers at once.
    telegram.userText(OWNER, "warm up");
    await stack.waitForText(/echo: warm up[\s\S]*✅ laptop/);
    // claude answers at once, then goes quiet (a long think) before it ends.
    model.enqueue({ blocks: [{ text: "Thinking out loud" }], stall: true });
    const before = telegram.calls.length;
    const calls = () => telegram.calls.slice(before).filter((c) => c.payload.chat_id === OWNER);
    const carriesWords = (c: Call) => /^(sendMessage|editMessageText)$/.test(c.method) && String(c.payload.text).includes("Thinking out loud");
    telegram.userText(OWNER, "think a while");
    const firstWords = await telegram.waitFor(() => calls().find(carriesWords), { message: "the first words in Telegram" });
    // Either one message with the words and the status line (they were there when it went out),
    // or the status message and then its first edit adds them.
    const status = calls().find((c) => c.method === "sendMessage" && /⏳ laptop running/.test(String(c.payload.text)))!;
    expect(status.seq).toBeLessThanOrEqual(firstWords.seq);
    const live = ((await telegram.waitFor(() => status.response)) as { result: { message_id: number } }).result.message_id;
    const ofLive = calls().filter((c) => c === status || (c.method === "editMessageText" && c.payload.message_id === live));
    expect(ofLive.indexOf(firstWords)).toBeLessThanOrEqual(1);
    expect(calls().filter((c) => c.seq < firstWords.seq && c.method === "sendChatAction")).toEqual([]);
    // Nothing new shows while claude thinks: now typing… says it still works.
    const typing = await telegram.waitFor(() => calls().find((c) => c.method === "sendChatAction"), { message: "typing… in the quiet" });
    expect(typing.payload).toMatchObject({ chat_id: OWNER, action: "typing" });
    model.release();
    await stack.waitForText(/Thinking out loud[\s\S]*✅ laptop/);
    // No typing… after the end.
    const footer = calls().find((c) => c.method === "editMessageText" && /Thinking out loud[\s\S]*✅ laptop/.test(String(c.payload.text)))!;
    expect(calls().filter((c) => c.seq > footer.seq && c.method === "sendChatAction")).toEqual([]);
    // Routine completion is quiet.
    const turn = telegram.chat(OWNER).filter((m) => (m.text ?? "").includes("Thinking out loud"));
    expect(turn.map((m) => m.disable_notification)).toEqual([true]);
    // This bot has no topics: everything stays in the main chat.
    expect(telegram.callsTo("createForumTopic")).toEqual([]);
    expect(telegram.calls.filter((c) => c.payload.message_thread_id !== undefined)).toEqual([]);
    expect(telegram.limits!.rejected).toEqual([]);
  });

  test("tool calls show as a compact status section that collapses into an expandable quote when the turn ends", async () => {
    const { telegram, model } = stack;
    const file = join(stack.workdir, "notes.md");
    model.enqueue(
      [{ text: "Let me look first." }, { toolUse: { name: "Grep", input: { pattern: "TODO", path: stack.workdir } } }],
      [{ toolUse: { name: "Write", input: { file_path: file, content: "one\ntwo\n" } } }],
      [{ text: "All written down." }],
    );
    const before = telegram.chat(OWNER).length;
    telegram.userText(OWNER, "take notes");
    const card = await telegram.waitFor(() => telegram.chat(OWNER).slice(before).find((m) => /wants to/.test(m.text ?? "") && buttonsOf(m).some((d) => d.endsWith(":a"))), { message: "the Write approval card" });
    // The card, the most pressing, may go out before the status message when both wait for the chat.
    const live = await telegram.waitFor(() => telegram.chat(OWNER).slice(before).find((m) => m.message_id !== card.message_id), { message: "the live message" });
    expect(card.disable_notification).toBeUndefined(); // a card that needs the owner rings
    expect(live.disable_notification).toBe(true);
    await telegram.waitFor(() => /🔎 Grep 'TODO'/.test(telegram.chat(OWNER).find((m) => m.message_id === live.message_id)?.text ?? ""), { message: "the Grep line in the live message" });
    telegram.clickButton(OWNER, card.message_id, buttonsOf(card).find((d) => d.endsWith(":a"))!);
    await stack.waitForText(/All written down\.[\s\S]*✅ laptop/);
    expect(readFileSync(file, "utf8")).toBe("one\ntwo\n");
    const final = telegram.chat(OWNER).find((m) => m.message_id === live.message_id)!;
    expect(final.text).toStartWith("Let me look first.\n\nAll written down.");
    expect(final.text).toContain("⚙ 2 steps: Grep, Write");
    const [folded] = entityText(final, "expandable_blockquote");
    expect(folded).toContain("🔎 Grep 'TODO'");
    expect(folded).toContain(`✎ Write ${file} +2 −0`);
    // The answer text and the tools are separate: no tool line inside the answer.
    expect(final.text!.indexOf("All written down.")).toBeLessThan(final.text!.indexOf("⚙ 2 steps"));
  });

  test("@name prompt runs one prompt on another machine and keeps the selection", async () => {
    const { telegram } = stack;
    await stack.addMachine("desk");
    telegram.userText(OWNER, "/use laptop");
    await stack.waitForText(/Prompts now go to laptop/);
    telegram.userText(OWNER, "@desk what is your name?");
    await stack.waitForText(/echo: what is your name\?[\s\S]*✅ desk/, "the answer from desk");
    telegram.userText(OWNER, "and you?");
    await stack.waitForText(/echo: and you\?[\s\S]*✅ laptop/, "the next plain prompt on laptop");
    telegram.userText(OWNER, "@nobody hello");
    await stack.waitForText(/No machine called "nobody"\. Yours: laptop, desk\./);
    telegram.userText(OWNER, "@desk");
    await stack.waitForText(/Write the prompt after the name, like: @desk run the tests/);
  });

  test("/help explains the bot in a few lines and lists the commands", async () => {
    stack.telegram.userText(OWNER, "/help");
    await stack.waitForText(/@NAME prompt – run one prompt on machine NAME[\s\S]*\/devices – /);
  });

  test("a silent turn gets a loud 'still working?' notice; Keep waiting, Status and Stop work from the phone", async () => {
    const { telegram, model } = stack;
    model.enqueue({ blocks: [{ text: "Starting a long job" }], stall: true });
    const before = telegram.chat(OWNER).length;
    telegram.userText(OWNER, "do a long job");
    await model.waitForStall(2);
    const live = await telegram.waitFor(() => telegram.chat(OWNER).slice(before).find((m) => /Starting a long job[\s\S]*⏳ laptop running \d+ s/.test(m.text ?? "")), { message: "the live message with its status line" });
    expect(buttonsOf(live)).toEqual([expect.stringMatching(/^stop:/), expect.stringMatching(/^st:/)]);
    const notice = await telegram.waitFor(() => telegram.chat(OWNER).slice(before).find((m) => /⏳ laptop has been silent for \d+ s\. Still working\?/.test(m.text ?? "")), { message: "the silence notice" });
    expect(notice.disable_notification).toBeUndefined();
    expect(buttonsOf(notice)).toEqual([expect.stringMatching(/^stop:/), expect.stringMatching(/^kw:/)]);

    const status = telegram.clickButton(OWNER, live.message_id, buttonsOf(live)[1]!);
    const answer = await telegram.waitFor(() => telegram.callbackAnswer(status), { message: "the Status toast" });
    expect(answer.text).toMatch(/^laptop · running \d+ s$/);

    const keep = telegram.clickButton(OWNER, notice.message_id, buttonsOf(notice)[1]!);
    expect((await telegram.waitFor(() => telegram.callbackAnswer(keep))).text).toBe("OK, waiting");
    await telegram.waitFor(() => /I'll ask again after 2 s more of silence/.test(telegram.chat(OWNER).find((m) => m.message_id === notice.message_id)!.text ?? ""), { message: "the notice to say it keeps waiting" });

    const second = await telegram.waitFor(() => telegram.chat(OWNER).slice(before).filter((m) => /Still working\?/.test(m.text ?? "") && buttonsOf(m).length > 0)[0], { message: "a second notice after another silence" });
    expect(second.message_id).not.toBe(notice.message_id);
    telegram.clickButton(OWNER, second.message_id, buttonsOf(second)[0]!);
    await stack.waitForText(/Starting a long job[\s\S]*⏹ stopped · laptop/, "the stopped footer");
    await telegram.waitFor(() => telegram.chat(OWNER).find((m) => m.message_id === second.message_id)!.reply_markup === undefined, { message: "the notice to lose its buttons" });
    model.release();
  });

  test("a device drop and a failed turn ring the phone", async () => {
    const { telegram, model } = stack;
    model.enqueue({ blocks: [{ text: "Desk is busy" }], stall: true });
    telegram.userText(OWNER, "@desk keep busy");
    await model.waitForStall(3);
    await stack.waitForText(/Desk is busy/);
    const desk = stack.extraAgent("desk");
    desk.kill("SIGKILL");
    await desk.exitCode();
    await stack.waitForText(/⚠️ desk lost its connection while working/);
    expect(stack.messages(/desk lost its connection/)[0]!.disable_notification).toBeUndefined();
    model.release();
    telegram.userText(OWNER, "/revoke desk");
    const confirm = await telegram.waitFor(() => stack.messages(/^Revoke desk/)[0], { message: "the revoke confirmation" });
    telegram.clickButton(OWNER, confirm.message_id, buttonsOf(confirm).find((d) => d.endsWith(":y"))!);
    await stack.waitForText(/⚠️ The turn on desk failed: desk was revoked\./, "the failure alert");
    expect(stack.messages(/The turn on desk failed/)[0]!.disable_notification).toBeUndefined();
    expect(stack.messages(/Desk is busy[\s\S]*⚠️ failed · desk/)[0]!.disable_notification).toBe(true);
  });

  test("no call ignores retry_after: after a 429 nothing reaches that chat (or retries that call) before retry_after", async () => {
    const { telegram, model } = stack;
    const first = telegram.calls.length;
    model.enqueue({ blocks: [{ text: "Under flood control" }], stall: true });
    telegram.injectFault("sendChatAction", { error_code: 429, retry_after: 1 });
    telegram.injectFault("editMessageText", { error_code: 429, retry_after: 1 });
    telegram.injectFault("answerCallbackQuery", { error_code: 429, retry_after: 1 });
    telegram.userText(OWNER, "flood me");
    await model.waitForStall(4);
    const live = await telegram.waitFor(() => stack.messages(/Under flood control[\s\S]*⏳ laptop running/)[0], { message: "the live message" });
    // typing… gives way to waiting edits, so it may first go out in the quiet of the stall.
    await telegram.waitFor(() => telegram.calls.slice(first).some((c) => c.method === "sendChatAction" && c.response), { message: "a typing… call to meet its 429" });
    const status = telegram.clickButton(OWNER, live.message_id, buttonsOf(live).find((d) => d.startsWith("st:"))!);
    expect((await telegram.waitFor(() => telegram.callbackAnswer(status), { message: "the Status toast after the 429" })).text).toMatch(/^laptop · running/);
    model.release();
    await stack.waitForText(/Under flood control[\s\S]*✅ laptop/);
    const calls = telegram.calls.slice(first).filter((c) => c.method !== "getUpdates");
    const floods = calls.filter((c) => c.response && !c.response.ok && c.response.error_code === 429);
    expect(floods.map((c) => c.method).sort()).toEqual(["answerCallbackQuery", "editMessageText", "sendChatAction"]);
    for (const flood of floods) {
      const chat = flood.payload.chat_id;
      const next = calls.filter((c) => c.seq > flood.seq && (chat === undefined ? c.method === flood.method : c.payload.chat_id === chat));
      expect(next.length).toBeGreaterThan(0);
      for (const c of next) expect(c.at - flood.at).toBeGreaterThanOrEqual(1000);
    }
  });

  test("the tool section survives a relay restart mid-turn (tools are stored with the turn)", async () => {
    const { telegram, model } = stack;
    model.enqueue(
      [{ text: "Before the crash." }, { toolUse: { name: "Grep", input: { pattern: "FIXME", path: stack.workdir } } }],
      { blocks: [{ text: "After the crash." }], stall: true },
    );
    const stalled = model.waitForStall();
    telegram.userText(OWNER, "search, then wait");
    await stalled;
    await stack.waitForText(/Before the crash\.[\s\S]*After the crash\.[\s\S]*🔎 Grep 'FIXME'/);
    await stack.liveMessageStored(stack.messages(/Before the crash/)[0]!.message_id);
    await stack.crashAndRestartServe();
    const restartedAt = telegram.calls.length;
    // The turn still runs on the machine: typing… comes back with the agent, before any new event.
    await telegram.waitFor(() => telegram.calls.slice(restartedAt).some((c) => c.method === "sendChatAction" && c.payload.chat_id === OWNER), { message: "typing… after the restart" });
    model.release();
    await stack.waitForText(/Before the crash\.\n\nAfter the crash\.\n\n⚙ 1 step: Grep.*\n🔎 Grep 'FIXME'[\s\S]*✅ laptop/, "the finished turn with its tools after the restart");
    expect(stack.messages(/Before the crash/)).toHaveLength(1);
  });

  test("with ra serve's default pacing, nothing in this file went over Telegram's documented limits", () => {
    expect(stack.telegram.limits!.rejected).toEqual([]);
  });
});
