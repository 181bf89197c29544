// `ra agent --max-sessions 1` with the real claude CLI: a second conversation's prompt ends the
// first one's idle claude, a prompt while the only claude is in a turn is refused saying what to do
// (the running turn goes on), and the ended conversation comes back with --resume, its context kept.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { conversationText } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ agentArgs: ["--max-sessions", "1"] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttons = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: "callback_data" in b ? b.callback_data! : "" }));

describe("the agent's cap on live claude processes", () => {
  test("a second conversation's prompt ends the first one's idle claude to make room", async () => {
    stack.telegram.userText(OWNER, "remember the word zebra");
    await stack.messageWith(/echo: remember the word zebra[\s\S]*✅ laptop/);
    stack.telegram.userText(OWNER, "/new");
    await stack.waitForText(/Fresh conversation with laptop \(#2/);
    stack.model.enqueue({ blocks: [{ text: "Holding on." }], stall: true });
    stack.telegram.userText(OWNER, "second conversation");
    await stack.model.waitForStall(1);
    await stack.messageWith(/Holding on\.[\s\S]*⏳ laptop running/);
    await stack.agent.waitFor(/its idle claude is ended to make room \(--max-sessions 1\)/, "the agent to end the idle claude");
  });

  test("with the only claude in a turn, a prompt for another conversation is refused with what to do; the turn goes on", async () => {
    stack.telegram.userText(OWNER, "/sessions");
    const list = await stack.messageWith(/Conversations with laptop/);
    stack.telegram.clickButton(OWNER, list.message_id, buttons(list).find((b) => b.text.startsWith("#1 "))!.data);
    await stack.waitForText(/Prompts to laptop now go to #1/);
    stack.telegram.userText(OWNER, "which word was it?");
    const refused = await stack.messageWith(/⚠️ failed · laptop[\s\S]*already runs 1 claude session, all in the middle of a turn/);
    expect(refused.text).toContain("/stop one of them and send this again, or raise --max-sessions (RA_MAX_SESSIONS) on the machine.");
    expect(stack.messages(/Holding on\./).at(-1)!.text).toMatch(/⏳ laptop running/);
    stack.model.release();
    await stack.messageWith(/Holding on\.[\s\S]*✅ laptop.*#2/);
  });

  test("the ended conversation comes back with --resume: claude sees its earlier messages", async () => {
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "which word now?");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("remember the word zebra");
    expect(conversationText(request)).toContain("echo: remember the word zebra");
    expect(conversationText(request)).not.toContain("second conversation");
    await stack.messageWith(/echo: which word now\?[\s\S]*✅ laptop.*#1/);
    expect(stack.agent.output).toMatch(/starting claude with --resume [0-9a-f-]{36}/);
  });
});
