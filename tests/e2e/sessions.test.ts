// Several conversations with one machine in one chat, through the compiled binary and the real
// claude CLI: /new keeps the old one, two turns stream at the same time, /sessions switches,
// /history shows the last turns and sends the whole conversation as .md.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { conversationText } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttons = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: "callback_data" in b ? b.callback_data! : "" }));

describe("several conversations with one machine", () => {
  test("a turn in a second conversation streams and ends while the first one's turn is still streaming", async () => {
    // Turn 1's answer starts, then the fake model holds it open.
    stack.model.enqueue({ blocks: [{ text: "Alpha begins." }], stall: true });
    stack.telegram.userText(OWNER, "first topic: alpha");
    await stack.model.waitForStall(1);
    const first = await stack.messageWith(/Alpha begins\.[\s\S]*⏳ laptop running/);
    expect(first.text).toContain("#1 · 📁 ");

    stack.telegram.userText(OWNER, "/new");
    await stack.waitForText(/🆕 Fresh conversation with laptop \(#2 · 📁 .*\)\. Your next message starts it\. #1 is kept/);

    const seen = stack.model.requests.length;
    stack.model.enqueue([{ text: "Beta is done." }]);
    stack.telegram.userText(OWNER, "second topic: beta");
    // Turn 2 runs to its end while turn 1 still waits on the model: neither waits for the other.
    const second = await stack.messageWith(/Beta is done\.[\s\S]*✅ laptop/);
    expect(second.message_id).not.toBe(first.message_id);
    expect(second.text).toContain("#2 · 📁 ");
    expect(stack.messages(/Alpha begins\./).at(-1)!.text).toMatch(/⏳ laptop running/);
    // A conversation of its own: claude got nothing of the first one.
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("second topic: beta");
    expect(conversationText(request)).not.toContain("alpha");

    stack.model.release();
    const firstDone = await stack.messageWith(/Alpha begins\.[\s\S]*✅ laptop/);
    expect(firstDone.message_id).toBe(first.message_id);
    expect(firstDone.text).toContain("#1 · 📁 ");
    expect(stack.messages(/Beta is done\./)).toHaveLength(1);
  });

  test("/sessions lists both, newest first, with folder, first prompt, cost and state; a tap switches", async () => {
    stack.telegram.userText(OWNER, "/sessions");
    const list = await stack.messageWith(/Conversations with laptop/);
    const lines = list.text!.split("\n").slice(1);
    expect(lines).toHaveLength(2);
    // Turn 1 ended last, so #1 is the most recently active; #2 is selected.
    expect(lines[0]).toMatch(/^○ #1 · 📁 \S+ · "first topic: alpha" · \d+ s ago · \$\d+\.\d{4} · idle$/);
    expect(lines[1]).toMatch(/^● #2 · 📁 \S+ · "second topic: beta" · \d+ s ago · \$\d+\.\d{4} · idle$/);
    const tap = buttons(list).find((b) => b.text.startsWith("#1 "))!;
    expect(new TextEncoder().encode(tap.data).length).toBeLessThanOrEqual(64);
    stack.telegram.clickButton(OWNER, list.message_id, tap.data);
    await stack.waitForText(/↪️ Prompts to laptop now go to #1 · 📁 .*: "first topic: alpha"\./);

    // The next prompt continues the first conversation, with its context.
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "back to alpha");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("first topic: alpha");
    expect(conversationText(request)).toContain("Alpha begins.");
    expect(conversationText(request)).not.toContain("beta");
    await stack.messageWith(/echo: back to alpha[\s\S]*✅ laptop.*#1 · 📁/);
  });

  test("a tap on a conversation that is not this chat's changes nothing", async () => {
    stack.telegram.userText(OWNER, "/sessions");
    const before = stack.messages(/Conversations with laptop/).length;
    await stack.telegram.waitFor(() => stack.messages(/Conversations with laptop/).length > before, { message: "the second /sessions list" });
    const list = stack.messages(/Conversations with laptop/).at(-1)!;
    const forged = stack.telegram.clickButton(OWNER, list.message_id, "ss:NoSuchSession1");
    await stack.telegram.waitFor(() => stack.telegram.callbackAnswer(forged), { message: "the answer to a forged tap" });
    expect(stack.telegram.callbackAnswer(forged)?.text).toContain("/sessions lists the current ones");
    expect(list.text!.split("\n").find((l) => l.startsWith("●"))).toContain("#1");
  });

  test("/history shows the last turns of the current conversation; the button sends all of it as .md", async () => {
    stack.telegram.userText(OWNER, "/history");
    const history = await stack.messageWith(/Last turns of laptop #1/);
    expect(history.text).toContain("🗣 first topic: alpha\nAlpha begins.");
    expect(history.text).toContain("🗣 back to alpha\necho: back to alpha");
    expect(history.text).not.toContain("beta");
    expect(history.text!.indexOf("first topic")).toBeLessThan(history.text!.indexOf("back to alpha"));
    const full = buttons(history).find((b) => b.text === "📄 Full transcript (.md)")!;
    stack.telegram.clickButton(OWNER, history.message_id, full.data);
    const doc = await stack.telegram.waitFor(() => stack.telegram.documents(OWNER).find((d) => d.file_name === "transcript-laptop-1.md"), { message: "the transcript document" });
    expect(doc.text).toMatch(/^# laptop #1 · /);
    expect(doc.text).toMatch(/claude --resume [0-9a-f-]{36}/);
    expect(doc.text).toContain("> first topic: alpha\n\nAlpha begins.");
    expect(doc.text).toContain("> back to alpha\n\necho: back to alpha");
    expect(doc.text).not.toContain("beta");
  });
});
