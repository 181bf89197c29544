// A topic per conversation, where the bot has topics in private chats: /new opens a topic named after
// the machine, folder and (once written) first prompt; writing there continues that conversation;
// two conversations stream into their own topics at the same time; commands in a topic act on its
// conversation; all of it survives kill -9 of the relay. Compiled binary, real claude CLI.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { conversationText } from "../fakes/model-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ botInfo: { has_topics_enabled: true } });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const topic = (pattern: RegExp) => stack.telegram.topics(OWNER).find((t) => pattern.test(t.name));
const topicWith = (pattern: RegExp) => stack.telegram.waitFor(() => topic(pattern), { timeoutMs: 30_000, message: `a topic named like ${pattern}` });

describe("a topic per conversation", () => {
  let second: number;
  let third: number;

  test("/new opens a topic for a fresh conversation; the first prompt written there names it and runs in it", async () => {
    stack.telegram.userText(OWNER, "the first conversation");
    await stack.waitForText(/echo: the first conversation[\s\S]*✅ laptop.*#1 · 📁/);
    const laptop = topic(/^laptop$/)!.message_thread_id;

    stack.telegram.userText(OWNER, "/new", { threadId: laptop });
    const opened = await topicWith(/^laptop · 📁 .+ · #2$/);
    second = opened.message_thread_id;
    expect(second).not.toBe(laptop);
    const welcome = await stack.messageWith(/🆕 Conversation #2 · 📁 .+ with laptop\. Write here/);
    expect(welcome.message_thread_id).toBe(second);
    const reply = await stack.messageWith(/🆕 #2 with laptop has its own topic/);
    expect(reply.message_thread_id).toBe(laptop);

    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "fix the login bug", { threadId: second });
    const answer = await stack.messageWith(/echo: fix the login bug[\s\S]*✅ laptop/);
    expect(answer.message_thread_id).toBe(second);
    expect(answer.text).toContain("#2 · 📁 ");
    // A conversation of its own: claude saw nothing of #1.
    expect(conversationText(await stack.model.waitForRequest(seen + 1))).not.toContain("the first conversation");
    await topicWith(/^laptop · 📁 .+ · fix the login bug$/);
  });

  test("a prompt in the machine's topic still goes to the conversation selected there", async () => {
    const laptop = topic(/^laptop$/)!.message_thread_id;
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "back in the main one", { threadId: laptop });
    const answer = await stack.messageWith(/echo: back in the main one[\s\S]*✅ laptop/);
    expect(answer.message_thread_id).toBe(laptop);
    expect(answer.text).toContain("#1 · 📁 ");
    expect(conversationText(await stack.model.waitForRequest(seen + 1))).toContain("the first conversation");
  });

  test("two conversations stream into their own topics at the same time, and /stop in a topic stops only its own", async () => {
    stack.telegram.userText(OWNER, "/new", { threadId: second });
    third = (await topicWith(/^laptop · 📁 .+ · #3$/)).message_thread_id;

    stack.model.enqueue({ blocks: [{ text: "Slow answer begins." }], stall: true });
    stack.telegram.userText(OWNER, "slow one", { threadId: second });
    await stack.model.waitForStall(1);
    const slow = await stack.messageWith(/Slow answer begins\.[\s\S]*⏳ laptop running/);
    expect(slow.message_thread_id).toBe(second);

    stack.model.enqueue([{ text: "Quick answer." }]);
    stack.telegram.userText(OWNER, "quick one", { threadId: third });
    const quick = await stack.messageWith(/Quick answer\.[\s\S]*✅ laptop/);
    expect(quick.message_thread_id).toBe(third);
    expect(quick.text).toContain("#3 · 📁 ");
    expect(stack.messages(/Slow answer begins\./).at(-1)!.text).toMatch(/⏳ laptop running/);

    // /stop in #3's topic: nothing runs there, #2 goes on.
    stack.telegram.userText(OWNER, "/stop", { threadId: third });
    const nothing = await stack.messageWith(/^Nothing is running on laptop\.$/);
    expect(nothing.message_thread_id).toBe(third);
    stack.telegram.userText(OWNER, "/stop", { threadId: second });
    const stopping = await stack.messageWith(/Stopping the turn on laptop/);
    expect(stopping.message_thread_id).toBe(second);
    stack.model.release();
    const stopped = await stack.messageWith(/Slow answer begins\.[\s\S]*(⏹|stopped)/);
    expect(stopped.message_thread_id).toBe(second);
  });

  test("/history in a topic shows that conversation's turns", async () => {
    stack.telegram.userText(OWNER, "/history", { threadId: third });
    const history = await stack.messageWith(/Last turns of laptop #3/);
    expect(history.message_thread_id).toBe(third);
    expect(history.text).toContain("quick one");
    expect(history.text).not.toContain("fix the login bug");
  });

  test("/cd in a conversation's topic: the topic moves to a fresh conversation in that folder; elsewhere nothing changes", async () => {
    mkdirSync(join(stack.workdir, "api"), { recursive: true });
    stack.telegram.userText(OWNER, "/cd api", { threadId: third });
    const moved = await stack.messageWith(/📁 Next prompts on laptop run in .*api/);
    expect(moved.message_thread_id).toBe(third);
    stack.telegram.userText(OWNER, "work on the api", { threadId: third });
    const answer = await stack.messageWith(/echo: work on the api[\s\S]*✅ laptop/);
    expect(answer.message_thread_id).toBe(third);
    expect(answer.text).toMatch(/#4 · 📁 \S*api/);
    await topicWith(/^laptop · 📁 \S*api · work on the api$/);
    // The machine's topic still talks to #1.
    stack.telegram.userText(OWNER, "/history", { threadId: topic(/^laptop$/)!.message_thread_id });
    expect((await stack.messageWith(/Last turns of laptop #1/)).text).not.toContain("work on the api");
  });

  test("after kill -9 of the relay, writing in a conversation's topic continues it with its context", async () => {
    await stack.crashAndRestartServe();
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "still the login bug?", { threadId: second });
    const answer = await stack.messageWith(/echo: still the login bug\?[\s\S]*✅ laptop/);
    expect(answer.message_thread_id).toBe(second);
    expect(answer.text).toContain("#2 · 📁 ");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("fix the login bug");
    expect(conversationText(request)).not.toContain("quick one");
  });

  test("/close in a conversation's topic closes that conversation and marks its topic closed", async () => {
    stack.telegram.userText(OWNER, "/close", { threadId: second });
    const closed = await stack.messageWith(/✖️ Closed #2 · 📁/);
    expect(closed.message_thread_id).toBe(second);
    await topicWith(/^✖ laptop · 📁 .+ · fix the login bug$/);
    stack.telegram.userText(OWNER, "/sessions", { threadId: topic(/^laptop$/)!.message_thread_id });
    const list = await stack.messageWith(/Conversations with laptop/);
    expect(list.text).not.toContain("#2 ");
  });

  test("a conversation whose topic was deleted answers in the machine's topic", async () => {
    const laptop = topic(/^laptop$/)!.message_thread_id;
    stack.telegram.deleteTopic(OWNER, third);
    stack.telegram.userText(OWNER, "/sessions", { threadId: laptop });
    const list = await stack.messageWith(/Conversations with laptop/);
    const tap = (list.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text.includes("#4 "))!;
    stack.telegram.clickButton(OWNER, list.message_id, "callback_data" in tap ? tap.callback_data! : "");
    await stack.messageWith(/↪️ Prompts to laptop now go to #4/);
    stack.telegram.userText(OWNER, "where do I land?", { threadId: laptop });
    const answer = await stack.messageWith(/echo: where do I land\?[\s\S]*✅ laptop/);
    expect(answer.message_thread_id).toBe(laptop);
    expect(answer.text).toContain("#4 · 📁 ");
  });
});
