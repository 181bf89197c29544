// /auto from the phone through the compiled binary and the real claude CLI: edits in the project
// run without a card while the grant holds, a call outside its set still asks, the grant survives
// a relay crash, and /auto off makes everything ask again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
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

const buttons = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: "callback_data" in b ? b.callback_data! : "" }));
const current = (m: StoredMessage) => stack.telegram.chat(OWNER).find((x) => x.message_id === m.message_id)!;
const cards = () => stack.telegram.chat(OWNER).filter((m) => !m.deleted && /wants to/.test(m.text ?? ""));
const turnDone = (text: RegExp) => stack.waitForText(new RegExp(`${text.source}[\\s\\S]*✅ laptop`), `the turn to finish with ${text}`);

describe("/auto", () => {
  test("the picker names each kind of call; Start turns it on for edits in the project", async () => {
    stack.telegram.userText(OWNER, "/auto 5m");
    await stack.waitForText(/Auto-approve on laptop for 5 min: tap what may run without asking/);
    const picker = stack.messages(/Auto-approve on laptop for 5 min/).at(-1)!;
    expect(buttons(picker).map((b) => b.text)).toEqual(["✅ edits in the project", "✅ read-only commands", "✅ tests", "▶ Start", "✖ Cancel"]);
    // Only edits: untick reads and tests.
    stack.telegram.clickButton(OWNER, picker.message_id, buttons(picker)[1]!.data);
    await stack.telegram.waitFor(() => buttons(current(picker))[1]!.text === "⬜ read-only commands", { message: "reads unticked" });
    stack.telegram.clickButton(OWNER, picker.message_id, buttons(current(picker))[2]!.data);
    await stack.telegram.waitFor(() => buttons(current(picker))[2]!.text === "⬜ tests", { message: "tests unticked" });
    stack.telegram.clickButton(OWNER, picker.message_id, buttons(current(picker)).find((b) => b.text === "▶ Start")!.data);
    await stack.telegram.waitFor(() => /🤖 Auto-approve on laptop: edits in the project · 5 min left\. \/auto off ends it\./.test(current(picker).text ?? ""), { message: "the picker to say it started" });
  });

  test("an edit in the project runs without a card; a command outside the set still asks", async () => {
    const file = join(stack.workdir, "auto.txt");
    const marker = join(stack.workdir, "touched");
    const before = cards().length;
    stack.model.enqueue(
      [{ toolUse: { name: "Write", input: { file_path: file, content: "written unattended\n" } } }],
      [{ toolUse: { name: "Bash", input: { command: `touch ${marker}` } } }],
      [{ text: "Done for the night." }],
    );
    stack.telegram.userText(OWNER, "work while I sleep");
    await stack.telegram.waitFor(() => cards().length > before, { message: "a card for the command" });
    expect(readFileSync(file, "utf8")).toBe("written unattended\n");
    const card = cards().at(-1)!;
    expect(card.text).toContain(`touch ${marker}`);
    stack.telegram.clickButton(OWNER, card.message_id, buttons(card).find((b) => b.text === "❌ Deny")!.data);
    await turnDone(/Done for the night\./);
    expect(cards().length).toBe(before + 1);
    expect(existsSync(marker)).toBe(false);
    stack.telegram.userText(OWNER, "/audit");
    await stack.waitForText(/allow \(auto: edits in the project\)/);
  });

  test("the grant survives a relay crash; /auto off makes the next edit ask", async () => {
    await stack.crashAndRestartServe();
    stack.telegram.userText(OWNER, "/auto");
    await stack.waitForText(/🤖 Auto-approve on laptop: edits in the project · \d+ min left/);
    stack.telegram.userText(OWNER, "/auto off");
    await stack.waitForText(/Auto-approve on laptop is off: every tool call asks again\./);
    const before = cards().length;
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: join(stack.workdir, "asked.txt"), content: "x\n" } } }], [{ text: "Asked first." }]);
    stack.telegram.userText(OWNER, "one more edit");
    await stack.telegram.waitFor(() => cards().length > before, { message: "a card for the edit" });
    const card = cards().at(-1)!;
    stack.telegram.clickButton(OWNER, card.message_id, buttons(card).find((b) => b.text === "✅ Allow")!.data);
    await turnDone(/Asked first\./);
  });

  test("a spend limit: once the session's turns cost more, the next call asks and says why", async () => {
    stack.telegram.userText(OWNER, "/auto $0.01");
    await stack.waitForText(/Auto-approve on laptop up to \$0\.01: tap what may run without asking/);
    const picker = stack.messages(/Auto-approve on laptop up to \$0\.01/).at(-1)!;
    stack.telegram.clickButton(OWNER, picker.message_id, buttons(picker).find((b) => b.text === "▶ Start")!.data);
    await stack.telegram.waitFor(() => /\$0\.00 of \$0\.01 spent/.test(current(picker).text ?? ""), { message: "the grant to start" });
    const before = cards().length;
    // The first turn's edit runs unasked, and the turn costs more than the budget (many output tokens).
    stack.model.enqueue(
      [{ toolUse: { name: "Write", input: { file_path: join(stack.workdir, "paid.txt"), content: "1\n" } } }],
      { blocks: [{ text: "An expensive answer." }], outputTokens: 20_000 },
    );
    stack.telegram.userText(OWNER, "an expensive turn");
    await turnDone(/An expensive answer\./);
    expect(readFileSync(join(stack.workdir, "paid.txt"), "utf8")).toBe("1\n");
    expect(cards().length).toBe(before);
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: join(stack.workdir, "unpaid.txt"), content: "2\n" } } }], [{ text: "Asked after the budget." }]);
    stack.telegram.userText(OWNER, "one more edit");
    await stack.waitForText(/Auto-approve on laptop ended: \$\d+\.\d\d of its \$0\.01 are spent\. This request and the next ones ask you again/);
    await stack.telegram.waitFor(() => cards().length > before, { message: "a card after the budget" });
    const card = cards().at(-1)!;
    stack.telegram.clickButton(OWNER, card.message_id, buttons(card).find((b) => b.text === "✅ Allow")!.data);
    await turnDone(/Asked after the budget\./);
  });

  test("a budget that makes no sense gets a message that says what to send", async () => {
    stack.telegram.userText(OWNER, "/auto soon");
    await stack.waitForText(/"soon" is neither a time \(30m, 2h\) nor a spend \(\$2\)\. Send \/auto 30m, \/auto \$2 or \/auto 1h \$5/);
    stack.telegram.userText(OWNER, "/auto 48h");
    await stack.waitForText(/At most 24h at a time; start another after\./);
  });
});
