// /close through the compiled binary and the real claude CLI: a conversation running a turn is
// refused (the turn goes on), a closed one ends its claude on the machine, leaves /sessions, and
// prompts go to the newest open one; /close N closes another by number.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { conversationText } from "../fakes/model-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const newMessage = async (pattern: RegExp) => {
  const before = stack.messages(pattern).length;
  return stack.telegram.waitFor(() => stack.messages(pattern)[before], { timeoutMs: 30_000, message: `a new message matching ${pattern}` });
};

describe("/close", () => {
  test("a conversation running a turn is refused, saying what to do; the turn goes on", async () => {
    stack.telegram.userText(OWNER, "the first one is about cherries");
    await stack.messageWith(/echo: the first one is about cherries[\s\S]*✅ laptop/);
    stack.telegram.userText(OWNER, "/new");
    await stack.waitForText(/Fresh conversation with laptop \(#2/);
    stack.model.enqueue({ blocks: [{ text: "Thinking about plums." }], stall: true });
    stack.telegram.userText(OWNER, "the second one is about plums");
    await stack.model.waitForStall(1);
    await stack.messageWith(/Thinking about plums\.[\s\S]*⏳ laptop running/);

    const refused = newMessage(/is running a turn/);
    stack.telegram.userText(OWNER, "/close");
    expect((await refused).text).toBe("#2 is running a turn: /stop it first (or its ⏹ Stop button), then /close.");
    stack.model.release();
    await stack.messageWith(/Thinking about plums\.[\s\S]*✅ laptop.*#2/);
  });

  test("/close ends the conversation on the machine; prompts go to the newest open one; it leaves /sessions", async () => {
    const closed = newMessage(/✖️ Closed/);
    stack.telegram.userText(OWNER, "/close");
    const reply = (await closed).text!;
    expect(reply).toMatch(/^✖️ Closed #2 · 📁 \S+\. Prompts to laptop now go to #1 · 📁 \S+: "the first one is about cherries"\. claude's transcript stays on laptop: \/desk can continue it\.$/);
    await stack.agent.waitFor(/session \S+ was closed; its claude is ended/, "the agent to end the closed conversation's claude");

    const list = newMessage(/Conversations with laptop/);
    stack.telegram.userText(OWNER, "/sessions");
    const lines = (await list).text!.split("\n").slice(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^● #1 · /);

    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "back to the first");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("the first one is about cherries");
    expect(conversationText(request)).not.toContain("plums");
    await stack.messageWith(/echo: back to the first[\s\S]*✅ laptop.*#1/);
  });

  test("/close N closes another conversation; a number that is not open is refused; the last one closed, the next prompt starts fresh", async () => {
    stack.telegram.userText(OWNER, "/new");
    await stack.waitForText(/Fresh conversation with laptop \(#3/);
    const missing = newMessage(/No open conversation #2/);
    stack.telegram.userText(OWNER, "/close 2");
    expect((await missing).text).toBe("No open conversation #2 with laptop in this chat: /sessions lists the open ones.");
    const usage = newMessage(/^Usage: \/close/);
    stack.telegram.userText(OWNER, "/close everything");
    await usage;

    const first = newMessage(/✖️ Closed #1/);
    stack.telegram.userText(OWNER, "/close 1");
    expect((await first).text).toMatch(/Prompts to laptop now go to #3 · 📁 \S+\./);
    const third = newMessage(/✖️ Closed #3/);
    stack.telegram.userText(OWNER, "/close");
    expect((await third).text).toMatch(/Your next message to laptop starts a fresh conversation\.$/);

    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "a clean slate");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).not.toContain("cherries");
    await stack.messageWith(/echo: a clean slate[\s\S]*✅ laptop.*#4/);
  });
});
