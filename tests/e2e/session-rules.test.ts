// "Always" on an approval card allows exactly what its button says: one allowed call of an
// interpreter never becomes the interpreter with any arguments.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
const cards = () => stack.telegram.chat(OWNER).filter((m) => !m.deleted && /wants to/.test(m.text ?? ""));
async function nthCard(n: number): Promise<StoredMessage> {
  await stack.telegram.waitFor(() => cards().length >= n && buttonsOf(cards()[n - 1]!).some((d) => d.startsWith("ap:")), { timeoutMs: 30_000, message: `approval card #${n}` });
  return cards()[n - 1]!;
}
const tap = (card: StoredMessage, action: string) => stack.telegram.clickButton(OWNER, card.message_id, buttonsOf(card).find((d) => d.startsWith("ap:") && d.endsWith(`:${action}`))!);
const turnDone = (text: RegExp) => stack.waitForText(new RegExp(`${text.source}[\\s\\S]*✅ laptop`), `the turn to finish with ${text}`);
const cardSays = (card: StoredMessage, text: string) =>
  stack.telegram.waitFor(() => (stack.telegram.chat(OWNER).find((m) => m.message_id === card.message_id)?.text ?? "").includes(text), { message: `the card to say ${text}` });

describe("session rules from the phone", () => {
  test("always allowing one python3 command allows exactly that: `python3 -c …` still asks", async () => {
    const script = join(stack.workdir, "check.py");
    writeFileSync(script, "print('ok')\n");
    const marker = join(stack.workdir, "py-ran");
    stack.model.enqueue(
      [{ toolUse: { name: "Bash", input: { command: `python3 ${script}` } } }],
      [{ toolUse: { name: "Bash", input: { command: `python3 -c "open('${marker}', 'w')"` } } }],
      [{ text: "Ran the check only." }],
    );
    const before = cards().length;
    stack.telegram.userText(OWNER, "run the check");
    const first = await nthCard(before + 1);
    expect((first.reply_markup?.inline_keyboard ?? []).flat().map((k) => k.text)).toEqual(["✅ Allow", "❌ Deny", `✅ Always: Bash \`python3 ${script}\``, "✍️ Deny with reason"]);
    tap(first, "s");
    const second = await nthCard(before + 2);
    expect(second.text).toContain("python3 -c");
    tap(second, "d");
    await turnDone(/Ran the check only\./);
    expect(existsSync(marker)).toBe(false);
    await cardSays(first, `allowed by you for this session (Bash \`python3 ${script}\`)`);
  });
});
