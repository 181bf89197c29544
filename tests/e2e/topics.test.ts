// One bot for the fleet with topics: when getMe reports has_topics_enabled, each machine gets its
// own topic in the private chat, everything about it goes there, and a prompt in a topic runs on
// that topic's machine. (Without topics everything stays in the main chat: telegram-native.test.ts.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
const topicId = (name: string) => stack.telegram.topics(OWNER).find((t) => t.name === name)?.message_thread_id;
const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));

beforeAll(async () => {
  stack = await startStack({ botInfo: { has_topics_enabled: true } });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe("topics in the private chat", () => {
  test("a prompt creates the machine's topic once; the answer, its edits and typing carry its thread id", async () => {
    const { telegram } = stack;
    const before = telegram.calls.length;
    // claude goes quiet after its first words, so typing… shows (only when nothing new does).
    stack.model.enqueue({ blocks: [{ text: "echo: hello laptop" }], stall: true });
    telegram.userText(OWNER, "hello laptop");
    await telegram.waitFor(() => telegram.calls.slice(before).find((c) => c.method === "sendChatAction"), { message: "typing… in the quiet" });
    stack.model.release();
    await stack.waitForText(/echo: hello laptop[\s\S]*✅ laptop/);
    const laptop = topicId("laptop")!;
    expect(laptop).toBeGreaterThan(0);
    const answer = stack.messages(/echo: hello laptop/)[0]!;
    expect(answer.message_thread_id).toBe(laptop);
    const calls = telegram.calls.slice(before);
    expect(calls.filter((c) => c.method === "sendMessage" || c.method === "sendChatAction").every((c) => c.payload.message_thread_id === laptop)).toBe(true);
    expect(calls.some((c) => c.method === "sendChatAction")).toBe(true);
    telegram.userText(OWNER, "again");
    await stack.waitForText(/echo: again[\s\S]*✅ laptop/);
    expect(telegram.callsTo("createForumTopic")).toHaveLength(1);
  });

  test("a second machine gets its own topic, and a prompt written in a topic goes to that topic's machine", async () => {
    const { telegram } = stack;
    await stack.addMachine("desk");
    telegram.userText(OWNER, "/use laptop");
    await stack.waitForText(/Prompts now go to laptop/);
    telegram.userText(OWNER, "@desk first words");
    await stack.waitForText(/echo: first words[\s\S]*✅ desk/);
    const desk = topicId("desk")!;
    expect(desk).not.toBe(topicId("laptop"));
    expect(stack.messages(/echo: first words/)[0]!.message_thread_id).toBe(desk);

    telegram.userText(OWNER, "written in the desk topic", { threadId: desk });
    await stack.waitForText(/echo: written in the desk topic[\s\S]*✅ desk/, "the answer from desk");
    expect(stack.messages(/echo: written in the desk topic/)[0]!.message_thread_id).toBe(desk);
    // The selection in the main chat is unchanged.
    telegram.userText(OWNER, "main chat prompt");
    await stack.waitForText(/echo: main chat prompt[\s\S]*✅ laptop/);
  });

  test("commands answer in the topic they were sent in, about that topic's machine", async () => {
    const { telegram } = stack;
    telegram.userText(OWNER, "/cd", { threadId: topicId("desk")! });
    const reply = await telegram.waitFor(() => stack.messages(/^desk runs prompts in/)[0], { message: "the /cd answer about desk" });
    expect(reply.message_thread_id).toBe(topicId("desk"));
  });

  test("an approval card goes to the machine's topic", async () => {
    const { telegram, model } = stack;
    model.enqueue([{ toolUse: { name: "Bash", input: { command: "touch topic-test.txt", description: "Create a file" } } }], [{ text: "Fine, I won't." }]);
    telegram.userText(OWNER, "run something", { threadId: topicId("desk")! });
    const card = await telegram.waitFor(() => telegram.chat(OWNER).find((m) => /wants to/.test(m.text ?? "") && buttonsOf(m).some((d) => d.endsWith(":d"))), { message: "the approval card" });
    expect(card.message_thread_id).toBe(topicId("desk"));
    telegram.clickButton(OWNER, card.message_id, buttonsOf(card).find((d) => d.endsWith(":d"))!);
    await stack.waitForText(/Fine, I won't\.[\s\S]*✅ desk/);
  });
});
