// What the owner sees of a turn in Telegram beyond the answer itself: typing, tool activity,
// long answers, notifications. Through the compiled binary against the fake Bot API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe("a turn in Telegram", () => {
  test("typing… shows from the moment the turn runs, before any answer exists", async () => {
    const { telegram, model } = stack;
    model.enqueue({ blocks: [{ text: "Thinking out loud" }], stall: true });
    const before = telegram.calls.length;
    telegram.userText(OWNER, "think a while");
    await model.waitForStall();
    const typing = await telegram.waitFor(() => telegram.calls.slice(before).find((c) => c.method === "sendChatAction"), { message: "a typing action" });
    expect(typing.payload).toMatchObject({ chat_id: OWNER, action: "typing" });
    await stack.waitForText(/Thinking out loud/);
    const calls = telegram.calls.slice(before);
    const firstAnswer = calls.findIndex((c) => /^(sendMessage|editMessageText)$/.test(c.method) && String(c.payload.text).includes("Thinking out loud"));
    expect(calls.indexOf(typing)).toBeLessThan(firstAnswer);
    model.release();
    await stack.waitForText(/Thinking out loud[\s\S]*✅ laptop/);
  });
});
