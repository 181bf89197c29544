// Approvals end to end: the real claude CLI asks for permission, the card appears in the fake
// Telegram, the owner taps, and claude receives exactly that answer (or a denial on any fault).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toolResultsOf } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
/** The buttons of the denied card, kept to tap it again after the decision removed them. */
let deniedCardButtons: string[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
const cards = () => stack.telegram.chat(OWNER).filter((m) => !m.deleted && /wants to|Claude has a plan|❓/.test(m.text ?? ""));

/** Waits for the n-th card (1-based) and returns it once it has its buttons. */
async function nthCard(n: number): Promise<StoredMessage> {
  await stack.telegram.waitFor(() => cards().length >= n && buttonsOf(cards()[n - 1]!).some((d) => d.startsWith("ap:")), { timeoutMs: 30_000, message: `approval card #${n}` });
  return cards()[n - 1]!;
}

function tap(card: StoredMessage, action: string, from = OWNER): string {
  const data = buttonsOf(card).find((d) => d.startsWith("ap:") && d.endsWith(`:${action}`));
  if (!data) throw new Error(`no ${action} button on card: ${JSON.stringify(card.reply_markup)}`);
  return stack.telegram.clickButton(OWNER, card.message_id, data, from);
}

const turnDone = (text: RegExp) => stack.waitForText(new RegExp(`${text.source}[\\s\\S]*✅ laptop`), `the turn to finish with ${text}`);
const cardNow = (card: StoredMessage) => stack.telegram.chat(OWNER).find((m) => m.message_id === card.message_id)!;
/** The card's edit with the decision travels behind other chat traffic: wait for it. */
const cardSays = (card: StoredMessage, pattern: RegExp | string) =>
  stack.telegram.waitFor(() => (typeof pattern === "string" ? (cardNow(card).text ?? "").includes(pattern) : pattern.test(cardNow(card).text ?? "")), { message: `the card to say ${pattern}` });

describe("approvals from the phone", () => {
  test("allow runs the tool: the file really appears", async () => {
    const file = join(stack.workdir, "allowed.txt");
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "hello from the phone\n" } } }], [{ text: "Wrote allowed.txt." }]);
    stack.telegram.userText(OWNER, "write a file");
    const card = await nthCard(1);
    expect(card.text).toContain("Write");
    expect(card.text).toContain(file);
    expect(card.text).toContain("hello from the phone");
    expect(existsSync(file)).toBe(false);
    tap(card, "a");
    await turnDone(/Wrote allowed\.txt/);
    expect(readFileSync(file, "utf8")).toBe("hello from the phone\n");
    await cardSays(card, /✅ allowed by you · \d\d:\d\d/);
    expect(buttonsOf(cardNow(card))).toEqual([]);
  });

  test("deny does not run the tool, and claude receives the message", async () => {
    const file = join(stack.workdir, "denied.txt");
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: `touch ${file}`, description: "Create denied.txt" } } }], [{ text: "Understood, not touching it." }]);
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "touch a file");
    const card = await nthCard(2);
    expect(card.text).toContain(`touch ${file}`);
    expect(card.text).toContain("Create denied.txt");
    deniedCardButtons = buttonsOf(card);
    tap(card, "d");
    await turnDone(/Understood, not touching it/);
    expect(existsSync(file)).toBe(false);
    const results = toolResultsOf((await stack.model.waitForRequest(seen + 2)).body);
    expect(results.at(-1)).toMatchObject({ is_error: true });
    expect(JSON.stringify(results.at(-1))).toContain("The owner denied this from Telegram.");
    await cardSays(card, /❌ denied by you/);
  });

  test("a second tap on a decided card is answered 'already decided' and changes nothing", async () => {
    const card = cards()[1]!;
    const allow = deniedCardButtons.find((d) => d.endsWith(":a"));
    expect(allow).toBeDefined();
    const answered = () => stack.telegram.calls.filter((c) => c.method === "answerCallbackQuery");
    const before = answered().length;
    stack.telegram.clickButton(OWNER, card.message_id, allow!);
    await stack.telegram.waitFor(() => answered().length > before, { message: "the tap to be answered" });
    expect(answered().at(-1)!.payload.text).toBe("Already decided.");
    await cardSays(card, /❌ denied by you/);
  });

  test("allow for this session skips the next card for the same tool", async () => {
    const a = join(stack.workdir, "one.txt");
    const b = join(stack.workdir, "two.txt");
    stack.model.enqueue(
      [{ toolUse: { name: "Write", input: { file_path: a, content: "1\n" } } }],
      [{ toolUse: { name: "Write", input: { file_path: b, content: "2\n" } } }],
      [{ text: "Both written." }],
    );
    stack.telegram.userText(OWNER, "write two files");
    const card = await nthCard(3);
    // The button says what "always" will allow before the tap: Write in this folder, nothing wider.
    expect((card.reply_markup?.inline_keyboard ?? []).flat().map((k) => k.text)).toEqual(["✅ Allow", "❌ Deny", `✅ Always: Write in ${stack.workdir}`, "✍️ Deny with reason"]);
    tap(card, "s");
    await turnDone(/Both written\./);
    expect(readFileSync(a, "utf8")).toBe("1\n");
    expect(readFileSync(b, "utf8")).toBe("2\n");
    expect(cards()).toHaveLength(3);
    await cardSays(card, `allowed by you for this session (Write in ${stack.workdir})`);
  });

  test("deny with reason sends the owner's next message to claude", async () => {
    const file = join(stack.workdir, "reason.txt");
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: `rm -f ${file}` } } }], [{ text: "OK, I will not delete it." }]);
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "delete a file");
    const card = await nthCard(4);
    tap(card, "r");
    await stack.telegram.waitFor(() => (cardNow(card).text ?? "").includes("send the reason"), { message: "the card to ask for a reason" });
    stack.telegram.userText(OWNER, "never delete files in this repo");
    await turnDone(/OK, I will not delete it\./);
    const results = toolResultsOf((await stack.model.waitForRequest(seen + 2)).body);
    expect(JSON.stringify(results.at(-1))).toContain("never delete files in this repo");
    await cardSays(card, "❌ denied by you: never delete files in this repo");
  });

  test("a stranger's tap is refused and the card stays open (and /new forgets session rules)", async () => {
    stack.telegram.userText(OWNER, "/new");
    await stack.waitForText(/Fresh conversation with laptop/);
    const file = join(stack.workdir, "stranger.txt");
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "x" } } }], [{ text: "Done after the owner." }]);
    stack.telegram.userText(OWNER, "write once more");
    const card = await nthCard(5);
    const strangerTap = tap(card, "a", 666);
    await stack.telegram.waitFor(() => stack.telegram.callbackAnswer(strangerTap) !== undefined, { message: "the stranger's tap to be answered" });
    expect(stack.telegram.callbackAnswer(strangerTap)?.text).toBe("Sorry, this is a private bot.");
    expect(existsSync(file)).toBe(false);
    expect(buttonsOf(cardNow(card)).length).toBeGreaterThan(0);
    tap(card, "a");
    await turnDone(/Done after the owner\./);
    expect(existsSync(file)).toBe(true);
    expect(stack.texts(666)).toEqual([]);
  });

  test("/pending lists open cards and /audit shows every decision", async () => {
    stack.telegram.userText(OWNER, "/pending");
    await stack.waitForText(/No approval is waiting for you/);
    stack.telegram.userText(OWNER, "/audit");
    await stack.waitForText(/Last approval decisions/);
    const audit = stack.texts().find((t) => t.startsWith("Last approval decisions"))!;
    expect(audit).toContain("Write: allow");
    expect(audit).toContain("Bash: deny");
    expect(audit).toContain("allow for session");
    expect(audit).toContain("allow (session rule: Write in ");
    expect(audit).toContain("deny with reason");
  });

  test("a 30 KB Write renders as a short card plus the whole content as a document", async () => {
    const file = join(stack.workdir, "big.md");
    const content = Array.from({ length: 600 }, (_, i) => `line ${i}: ${"lorem ipsum ".repeat(4)}`).join("\n");
    expect(content.length).toBeGreaterThan(30_000);
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content } } }], [{ text: "Big file written." }]);
    stack.telegram.userText(OWNER, "write a big file");
    const card = await nthCard(6);
    expect(card.text!.length).toBeLessThanOrEqual(3500);
    expect(card.text).toContain("line 0:");
    await stack.telegram.waitFor(() => stack.telegram.documents(OWNER).some((d) => d.file_name === "big.md"), { message: "the full content as a document" });
    expect(stack.telegram.documents(OWNER).find((d) => d.file_name === "big.md")!.text).toBe(content);
    tap(card, "a");
    await turnDone(/Big file written\./);
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  test("AskUserQuestion becomes a card with one button per option, and the answer goes back", async () => {
    const question = "Which database should I use?";
    stack.model.enqueue(
      [{ toolUse: { name: "AskUserQuestion", input: { questions: [{ question, header: "Database", multiSelect: false, options: [{ label: "SQLite", description: "one file" }, { label: "Postgres", description: "a server" }] }] } } }],
      [{ text: "Going with your choice." }],
    );
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "ask me something");
    const card = await nthCard(7);
    expect(card.text).toContain(question);
    const labels = (card.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(labels).toEqual(["SQLite", "Postgres", "❌ Deny"]);
    tap(card, "q1");
    await turnDone(/Going with your choice\./);
    const results = toolResultsOf((await stack.model.waitForRequest(seen + 2)).body);
    expect(JSON.stringify(results.at(-1))).toContain("Postgres");
    await cardSays(card, "you answered: Postgres");
  });

  test("/mode plan, then ExitPlanMode becomes Approve plan / Keep planning", async () => {
    stack.telegram.userText(OWNER, "/mode");
    await stack.waitForText(/Permission mode on laptop: default/);
    const menu = stack.messages(/Permission mode on laptop/).at(-1)!;
    expect(buttonsOf(menu)).toEqual(["mode:default", "mode:acceptEdits", "mode:plan"]);
    stack.telegram.clickButton(OWNER, menu.message_id, "mode:plan");
    await stack.waitForText(/Permission mode is now plan\./);
    stack.model.enqueue([{ toolUse: { name: "ExitPlanMode", input: { plan: "1. Add a test\n2. Fix the bug" } } }], [{ text: "Plan approved, starting." }]);
    stack.telegram.userText(OWNER, "plan something");
    const card = await nthCard(8);
    expect(card.text).toContain("Claude has a plan");
    expect(card.text).toContain("2. Fix the bug");
    expect(buttonsOf(card).map((d) => d.split(":")[2])).toEqual(["p", "k"]);
    tap(card, "p");
    await turnDone(/Plan approved, starting\./);
    await cardSays(card, "plan approved by you");
  });

  test("no answer within the approval timeout denies, and the card says expired", async () => {
    await using quick = await startStack({ serveArgs: ["--approval-timeout", "1"] });
    const file = join(quick.workdir, "late.txt");
    quick.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "x" } } }], [{ text: "Denied by the clock." }]);
    const seen = quick.model.requests.length;
    quick.telegram.userText(OWNER, "write late");
    await quick.waitForText(/⌛ expired → denied/, "the card to expire");
    await quick.waitForText(/Denied by the clock\.[\s\S]*✅ laptop/);
    expect(existsSync(file)).toBe(false);
    const results = toolResultsOf((await quick.model.waitForRequest(seen + 2)).body);
    expect(JSON.stringify(results.at(-1))).toContain("denied by default");
  });

  test("killing the agent while a card is open denies it, and the card says so", async () => {
    const file = join(stack.workdir, "killed.txt");
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "x" } } }]);
    stack.telegram.userText(OWNER, "write and get killed");
    const card = await nthCard(9);
    stack.agent.kill("SIGKILL");
    await stack.telegram.waitFor(() => (cardNow(card).text ?? "").includes("denied: laptop disconnected"), { message: "the card to say denied" });
    expect(buttonsOf(cardNow(card))).toEqual([]);
    expect(existsSync(file)).toBe(false);
    await stack.restartAgent();
  });
});
