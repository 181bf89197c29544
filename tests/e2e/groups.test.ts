// Groups through the compiled binary: only private chats are served; the bot leaves any group no
// owner enabled with /allowgroup inside it, and in an enabled group ignores everyone not allowed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OWNER, startStack, type Stack } from "../helpers/stack";

const STRANGER = 5005;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const left = (chatId: number) => stack.telegram.waitFor(() => stack.telegram.leftChats.has(chatId), { message: `the bot to leave ${chatId}` });

describe("groups", () => {
  test("added by a stranger, the bot leaves at once and says nothing", async () => {
    stack.telegram.addBotToGroup(-700, STRANGER);
    await left(-700);
    expect(stack.texts(-700)).toEqual([]);
  });

  test("added by an owner, it waits for /allowgroup but leaves when anyone else speaks first", async () => {
    stack.telegram.addBotToGroup(-900, OWNER);
    await stack.waitForText(/^Send \/allowgroup here/, "the hint", -900);
    stack.telegram.userText(-900, "/devices", { fromId: STRANGER });
    await left(-900);
    expect(stack.texts(-900)).toHaveLength(1);
  });

  test("a stranger's /allowgroup does not enable a group", async () => {
    stack.telegram.userText(-950, "/allowgroup", { fromId: STRANGER });
    await left(-950);
    expect(stack.texts(-950)).toEqual([]);
  });

  test("an owner's /allowgroup enables it: allowed users are served, others ignored, /disallowgroup leaves", async () => {
    stack.telegram.addBotToGroup(-800, OWNER);
    await stack.waitForText(/^Send \/allowgroup here/, "the hint", -800);
    stack.telegram.userText(-800, "/allowgroup@ra_test_bot", { fromId: OWNER });
    await stack.waitForText(/^✅ This group is enabled/, "the enabled note", -800);

    stack.telegram.userText(-800, "/devices", { fromId: STRANGER });
    stack.telegram.userText(-800, "/status", { fromId: OWNER });
    await stack.waitForText(/^Prompts go to laptop\./, "the owner's /status", -800);
    expect(stack.texts(-800)).toHaveLength(3); // hint, enabled, /status: nothing for the stranger
    const status = stack.messages(/^Prompts go to laptop\./, -800).at(-1)!;
    const tap = stack.telegram.clickButton(-800, status.message_id, "use:whatever", STRANGER);
    expect(await stack.telegram.waitFor(() => stack.telegram.callbackAnswer(tap), { message: "the stranger's tap answered" })).not.toHaveProperty("text");
    expect(stack.telegram.leftChats.has(-800)).toBe(false);

    stack.telegram.userText(-800, "/disallowgroup", { fromId: STRANGER });
    stack.telegram.userText(-800, "/disallowgroup", { fromId: OWNER });
    await left(-800);
    expect(stack.texts(-800).at(-1)).toBe("Leaving: an owner disabled this group.");
    expect(stack.texts(-800)).toHaveLength(4);
  });

  test("private chats are unaffected", async () => {
    stack.telegram.userText(OWNER, "hello from private");
    await stack.waitForText(/echo: hello from private[\s\S]*✅ laptop/);
  });
});
