// What follows an answer on a card: the turn's status line stops saying it waits the moment the
// owner answers; and in an enabled group with two owners, "Deny with reason" takes the reason of
// the person who tapped it, while what anyone else writes meanwhile stays their own prompt, and a
// prompt waiting for a machine runs where its own author taps.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { toolResultsOf } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

const SECOND_OWNER = 1002;
const GROUP = -820;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ serveArgs: ["--owner", String(SECOND_OWNER)] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
const inGroup = (id: number) => stack.telegram.chat(GROUP).find((m) => m.message_id === id)!;

describe("the running turn's status line", () => {
  test("stops saying 'waiting for approval' as soon as the owner answers, while the tool still runs", async () => {
    const gate = join(stack.workdir, "gate");
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: `touch ${gate}.started && while [ ! -e ${gate} ]; do sleep 0.05; done`, description: "wait for the gate" } } }], [{ text: "Gate passed." }]);
    stack.telegram.userText(OWNER, "wait for the gate");
    const card = await stack.telegram.waitFor(
      () => stack.telegram.chat(OWNER).find((m) => /wants to/.test(m.text ?? "") && buttonsOf(m).some((d) => d.endsWith(":a"))),
      { timeoutMs: 30_000, message: "the card" },
    );
    const live = () => stack.telegram.chat(OWNER).find((m) => /⏳ laptop running/.test(m.text ?? ""));
    await stack.telegram.waitFor(() => live()?.text?.includes("waiting for approval"), { message: "the status line to say it waits" });
    stack.telegram.clickButton(OWNER, card.message_id, buttonsOf(card).find((d) => d.endsWith(":a"))!);
    // Nothing comes from the machine until the command ends: only the answer itself can clear it.
    await stack.telegram.waitFor(() => live() && !live()!.text!.includes("waiting for approval"), { message: "the status line to stop saying it waits" });
    await Bun.write(gate, "");
    await stack.waitForText(/Gate passed\.[\s\S]*✅ laptop/, "the turn to finish");
  });
});

describe("approvals in a group", () => {
  test("only the owner who tapped Deny with reason gives the reason", async () => {
    stack.telegram.addBotToGroup(GROUP, OWNER);
    await stack.waitForText(/^Send \/allowgroup here/, "the hint", GROUP);
    stack.telegram.userText(GROUP, "/allowgroup", { fromId: OWNER });
    await stack.waitForText(/^✅ This group is enabled/, "the enabled note", GROUP);

    const file = join(stack.workdir, "group.txt");
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: `rm -f ${file}` } } }], [{ text: "Understood, not deleting." }]);
    const seen = stack.model.requests.length;
    stack.telegram.userText(GROUP, "delete the file", { fromId: OWNER });
    const card = await stack.telegram.waitFor(
      () => stack.telegram.chat(GROUP).find((m) => /wants to/.test(m.text ?? "") && buttonsOf(m).some((d) => d.endsWith(":r"))),
      { timeoutMs: 30_000, message: "the card in the group" },
    );
    stack.telegram.clickButton(GROUP, card.message_id, buttonsOf(card).find((d) => d.endsWith(":r"))!, OWNER);
    await stack.telegram.waitFor(() => (inGroup(card.message_id).text ?? "").includes("send the reason"), { message: "the card to ask for a reason" });

    stack.telegram.userText(GROUP, "what is the weather?", { fromId: SECOND_OWNER });
    stack.telegram.userText(GROUP, "keep that file", { fromId: OWNER });
    await stack.waitForText(/Understood, not deleting\.[\s\S]*✅ laptop/, "the denied turn to finish", GROUP);
    const results = toolResultsOf((await stack.model.waitForRequest(seen + 2)).body);
    expect(JSON.stringify(results.at(-1))).toContain("keep that file");
    expect(JSON.stringify(results.at(-1))).not.toContain("weather");
    await stack.telegram.waitFor(() => (inGroup(card.message_id).text ?? "").includes("❌ denied by you: keep that file"), { message: "the card to show the owner's reason" });
    // The second owner's message was a prompt of its own, run after the turn.
    await stack.waitForText(/echo: what is the weather\?[\s\S]*✅ laptop/, "the second owner's prompt", GROUP);
  });

  test("each person's waiting prompt runs on the machine that person taps, not on someone else's choice", async () => {
    await stack.addMachine("desk");
    const choosers = () => stack.telegram.chat(GROUP).filter((m) => (m.text ?? "").startsWith("Which machine should run this?"));
    const before = choosers().length;
    stack.telegram.userText(GROUP, "first owner's prompt", { fromId: OWNER });
    stack.telegram.userText(GROUP, "second owner's prompt", { fromId: SECOND_OWNER });
    await stack.telegram.waitFor(() => choosers().length === before + 2, { message: "a machine chooser for each prompt" });
    const [forFirst, forSecond] = choosers().slice(before);
    const buttonFor = (m: StoredMessage, name: string) => (m.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text.includes(` ${name}`))!;
    const tap = (m: StoredMessage, name: string, who: number) => {
      const b = buttonFor(m, name);
      stack.telegram.clickButton(GROUP, m.message_id, "callback_data" in b ? b.callback_data! : "", who);
    };
    tap(forSecond!, "desk", SECOND_OWNER);
    await stack.waitForText(/echo: second owner's prompt[\s\S]*✅ desk/, "the second owner's prompt on desk", GROUP);
    tap(forFirst!, "laptop", OWNER);
    await stack.waitForText(/echo: first owner's prompt[\s\S]*✅ laptop/, "the first owner's prompt on laptop", GROUP);
    const answers = stack.texts(GROUP).filter((t) => t.includes("echo: first owner's prompt") || t.includes("echo: second owner's prompt"));
    expect(answers.filter((t) => t.includes("first owner's prompt") && t.includes("✅ desk"))).toEqual([]);
  });
});
