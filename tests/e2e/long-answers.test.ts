// A 20 KB answer with code blocks through the compiled binary: it arrives whole and in order,
// across messages (code blocks reopened after a cut) and, past the message limit, as a .md file.
import { afterAll, describe, expect, test } from "bun:test";
import { markdownToFormatted, splitFormatted } from "../../src/relay/format";
import type { StoredMessage } from "../fakes/telegram-api";
import { longMarkdown } from "../helpers/long-markdown";
import { OWNER, startStack, type Stack } from "../helpers/stack";

const ANSWER = longMarkdown(20_000);
const RENDERED = markdownToFormatted(ANSWER);
const stacks: Stack[] = [];

afterAll(async () => {
  for (const stack of stacks) await stack[Symbol.asyncDispose]();
});

async function runLongTurn(serveArgs: string[]): Promise<{ stack: Stack; messages: StoredMessage[] }> {
  // Telegram's documented limits enforced strictly, ra serve at its default pacing.
  const stack = await startStack({ serveArgs, documentedLimits: true });
  stacks.push(stack);
  stack.model.enqueue([{ text: ANSWER, chunkSize: 700 }]);
  const before = stack.telegram.chat(OWNER).length;
  stack.telegram.userText(OWNER, "write a long answer");
  await stack.waitForText(/✅ laptop · [\d.]+ s/, "the footer of the long answer");
  expect(stack.telegram.limits!.rejected).toEqual([]);
  return { stack, messages: stack.telegram.chat(OWNER).slice(before) };
}

const squash = (s: string) => s.replace(/\s+/g, "");
const pres = (m: StoredMessage) => (m.entities ?? []).filter((e) => e.type === "pre");

describe("a 20 KB answer", () => {
  test("with the default limit: two head messages, a live tail, and the whole answer as a .md file", async () => {
    const { stack, messages } = await runLongTurn([]);
    const texts = messages.filter((m) => m.text !== undefined);
    expect(texts).toHaveLength(3);
    const pieces = splitFormatted(RENDERED);
    expect(texts[0]!.text).toBe(pieces[0]!.text);
    expect(texts[1]!.text).toBe(pieces[1]!.text);
    expect(pres(texts[0]!).every((e) => e.language === "ts")).toBe(true);
    expect(pres(texts[0]!).length).toBeGreaterThan(0);
    const tail = texts[2]!.text!;
    expect(tail).toStartWith("… the whole answer is in the file below");
    expect(tail).toMatch(/The end\.\n\n✅ laptop/);
    const doc = await stack.telegram.waitFor(() => stack.telegram.documents(OWNER).find((d) => d.file_name.endsWith(".md")), { message: "the .md attachment" });
    expect(doc.file_name).toMatch(/^answer-[\w-]+\.md$/);
    expect(doc.mime_type).toBe("text/markdown");
    expect(doc.text).toBe(`${ANSWER}\n`);
    expect(doc.caption).toContain("The whole answer from laptop");
    expect(doc.message_id).toBeGreaterThan(texts[2]!.message_id);
    expect(stack.telegram.chat(OWNER).find((m) => m.message_id === doc.message_id)!.disable_notification).toBe(true);
  });

  test("with room for it: every piece in order, code blocks reopened with their language after a cut, nothing lost", async () => {
    const { stack, messages } = await runLongTurn(["--max-messages", "10"]);
    expect(stack.telegram.documents(OWNER)).toEqual([]);
    const pieces = splitFormatted(RENDERED);
    expect(messages.length).toBe(pieces.length);
    expect(messages.map((m) => m.message_id)).toEqual([...messages.map((m) => m.message_id)].sort((a, b) => a - b));
    messages.slice(0, -1).forEach((m, i) => expect(m.text).toBe(pieces[i]!.text));
    expect(squash(messages.map((m) => m.text).join(""))).toStartWith(squash(RENDERED.text));
    // Some split cut through a code block: the next message starts inside a reopened ts block.
    const reopened = messages.slice(1).filter((m) => pres(m).some((e) => e.offset === 0 && e.language === "ts"));
    expect(reopened.length).toBeGreaterThan(0);
    expect(messages.slice(1).every((m) => m.disable_notification === true)).toBe(true);
  });
});
