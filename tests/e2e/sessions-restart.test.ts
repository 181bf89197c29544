// Two conversations with one machine (the second in its own folder and mode) survive kill -9 of
// the agent and of the relay: the selection, folders and modes are kept, the next prompt continues
// the second conversation with its context, and switching back continues the first.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { conversationText } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
let project = "";
beforeAll(async () => {
  stack = await startStack();
  project = join(realpathSync(stack.workdir), "project");
  mkdirSync(project);
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttons = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: "callback_data" in b ? b.callback_data! : "" }));
const listCount = () => stack.messages(/Conversations with laptop/).length;

describe("conversations across kill -9 of the agent and of the relay", () => {
  test("two conversations, the second in its own folder and mode", async () => {
    stack.telegram.userText(OWNER, "the first one is about apples");
    await stack.messageWith(/echo: the first one is about apples[\s\S]*✅ laptop/);
    stack.telegram.userText(OWNER, `/cd ${project}`);
    await stack.waitForText(/Next prompts on laptop run in/);
    stack.telegram.userText(OWNER, "/mode acceptEdits");
    await stack.waitForText(/Permission mode is now acceptEdits/);
    stack.telegram.userText(OWNER, "the second one is about bananas");
    const answer = await stack.messageWith(/echo: the second one is about bananas[\s\S]*✅ laptop/);
    expect(answer.text).toContain(`#2 · 📁 ${project.length <= 28 ? project : "…/project"}`);
    await stack.liveMessageStored(answer.message_id);
  });

  test("kill -9 the agent, then the relay: the second conversation goes on where it was, with its folder, mode and context", async () => {
    stack.agent.kill("SIGKILL");
    await stack.agent.exitCode();
    await stack.restartAgent();
    await stack.crashAndRestartServe();

    stack.telegram.userText(OWNER, "/mode");
    await stack.waitForText(/Permission mode on laptop: acceptEdits/);
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "more about the second one");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("the second one is about bananas");
    expect(conversationText(request)).not.toContain("apples");
    expect(JSON.stringify(request.body?.system)).toContain(project);
    await stack.messageWith(/echo: more about the second one[\s\S]*✅ laptop.*#2/);
  });

  test("/sessions still lists both; switching back continues the first conversation", async () => {
    const before = listCount();
    stack.telegram.userText(OWNER, "/sessions");
    await stack.telegram.waitFor(() => listCount() > before, { message: "the /sessions list" });
    const list = stack.messages(/Conversations with laptop/).at(-1)!;
    const lines = list.text!.split("\n").slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^● #2 · .* · "the second one is about bananas" · /);
    expect(lines[1]).toMatch(/^○ #1 · .* · "the first one is about apples" · /);
    stack.telegram.clickButton(OWNER, list.message_id, buttons(list).find((b) => b.text.startsWith("#1 "))!.data);
    await stack.waitForText(/Prompts to laptop now go to #1/);
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "back to the first one");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("the first one is about apples");
    expect(conversationText(request)).not.toContain("bananas");
    await stack.messageWith(/echo: back to the first one[\s\S]*✅ laptop.*#1/);
  });
});
