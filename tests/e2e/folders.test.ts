// /cd from the phone through the compiled binary and a real agent: the folder picker (open, up,
// more, use), /cd NAME found under the roots, and a vanished folder: each says what happened.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
const dirs = ["api/lib", "web/app/api", "web/lib", ...Array.from({ length: 10 }, (_, i) => `p${i + 1}`), ".hidden"];
beforeAll(async () => {
  stack = await startStack();
  for (const d of dirs) mkdirSync(join(stack.workdir, d), { recursive: true });
  symlinkSync("/etc", join(stack.workdir, "escape"));
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const labels = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
const fresh = (m: StoredMessage) => stack.telegram.chat(OWNER).find((x) => x.message_id === m.message_id)!;
/** Taps the button labelled `label` on the message, waits for Telegram's answer to the tap. */
async function tap(m: StoredMessage, label: string) {
  const button = (fresh(m).reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text === label);
  if (!button || !("callback_data" in button)) throw new Error(`no button "${label}" on: ${labels(fresh(m)).join(" | ")}`);
  const id = stack.telegram.clickButton(OWNER, m.message_id, button.callback_data!);
  return stack.telegram.waitFor(() => stack.telegram.callbackAnswer(id), { timeoutMs: 30_000, message: `the answer to the tap on ${label}` });
}
const until = (m: StoredMessage, pattern: RegExp) =>
  stack.telegram.waitFor(() => pattern.test(fresh(m).text ?? "") && fresh(m), { timeoutMs: 30_000, message: `the picker to say ${pattern}` });
/** A picker: what the machine runs in, then the folder listed. */
const PICKER = /runs prompts in [^\n]*\.\n📁 /;
const newMessage = async (pattern: RegExp) => {
  const before = stack.messages(pattern).length;
  return stack.telegram.waitFor(() => stack.messages(pattern)[before], { timeoutMs: 30_000, message: `a new message matching ${pattern}` });
};
/** The next prompt runs in `folder`: claude tells the model its working directory. */
async function promptRunsIn(folder: string, words: string) {
  const before = stack.model.requests.length;
  stack.telegram.userText(OWNER, words);
  await stack.waitForText(new RegExp(`echo: ${words}[\\s\\S]*✅ laptop`));
  const request = stack.model.requests.slice(before).find((r) => JSON.stringify(r.body?.messages ?? []).includes(words))!;
  expect(JSON.stringify(request.body)).toContain(folder);
}

describe("/cd picker", () => {
  test("lists the root's visible subfolders in pages; open, up, more and use move through them", async () => {
    const next = newMessage(PICKER);
    stack.telegram.userText(OWNER, "/cd");
    const picker = await next;
    expect(picker.text).toContain(`laptop runs prompts in ${stack.workdir}.`);
    expect(picker.text).toContain(`📁 ${stack.workdir}: 12 folders (1–8 of 12).`);
    // Numbers sort as numbers; the hidden folder and the link out of the roots are not offered.
    expect(labels(picker)).toEqual(["📁 api", "📁 p1", "📁 p2", "📁 p3", "📁 p4", "📁 p5", "📁 p6", "📁 p7", "more ›", "✓ use this folder"]);

    await tap(picker, "more ›");
    await until(picker, /\(9–12 of 12\)/);
    expect(labels(fresh(picker))).toEqual(["📁 p8", "📁 p9", "📁 p10", "📁 web", "‹ back", "✓ use this folder"]);

    await tap(picker, "📁 web");
    await until(picker, new RegExp(`📁 ${join(stack.workdir, "web")}: 2 folders`));
    expect(labels(fresh(picker))).toEqual(["📁 app", "📁 lib", "⬆ up", "✓ use this folder"]);
    await tap(picker, "📁 app");
    await until(picker, /app: 1 folder \(1–1 of 1\)/);
    await tap(picker, "⬆ up");
    await until(picker, new RegExp(`📁 ${join(stack.workdir, "web")}: 2 folders`));

    const answer = await tap(picker, "✓ use this folder");
    expect(answer.text).toBe("Now in web");
    await until(picker, new RegExp(`Next prompts on laptop run in ${join(stack.workdir, "web")} \\(a fresh conversation`));
    expect(labels(fresh(picker))).toEqual([]);
    await promptRunsIn(join(stack.workdir, "web"), "where am I now");

    // A bare /cd now starts at the current folder.
    const again = newMessage(PICKER);
    stack.telegram.userText(OWNER, "/cd");
    expect((await again).text).toContain(`laptop runs prompts in ${join(stack.workdir, "web")}.`);
  });

  test("/cd NAME: one match switches; several offer buttons; the first root's own folder wins; none says so", async () => {
    stack.telegram.userText(OWNER, "/cd p7");
    await stack.waitForText(new RegExp(`Next prompts on laptop run in ${join(stack.workdir, "p7")} `));

    const choice = newMessage(/folders on laptop match "lib"/i);
    stack.telegram.userText(OWNER, "/cd LIB");
    const buttons = await choice;
    expect(buttons.text).toBe('2 folders on laptop match "LIB". Which one?');
    // Long paths show their end, which tells them apart.
    const label = (p: string) => `📁 ${p.length <= 60 ? p : `…${p.slice(-59)}`}`;
    expect(labels(buttons)).toEqual([label(join(stack.workdir, "api", "lib")), label(join(stack.workdir, "web", "lib"))]);
    await tap(buttons, labels(buttons)[1]!);
    await until(buttons, new RegExp(`run in ${join(stack.workdir, "web", "lib")} `));
    await promptRunsIn(join(stack.workdir, "web", "lib"), "in the lib of web");

    // "api" is a folder of the root and deeper (web/app/api): the root's own, as /cd api always meant.
    stack.telegram.userText(OWNER, "/cd api");
    await stack.waitForText(new RegExp(`Next prompts on laptop run in ${join(stack.workdir, "api")} `));

    stack.telegram.userText(OWNER, "/cd nowhere-such");
    await stack.waitForText(new RegExp(`No folder called "nowhere-such" under laptop's folders \\(${stack.workdir}\\)\\. Send /cd to browse, or /cd PATH\\.`));
    // /cd PATH works as before.
    stack.telegram.userText(OWNER, `/cd ${join(stack.workdir, "p2")}`);
    await stack.waitForText(new RegExp(`Next prompts on laptop run in ${join(stack.workdir, "p2")} `));
  });

  test("a folder that vanished: a tap says so and changes nothing; a bare /cd falls back to the roots, saying why", async () => {
    const doomed = join(stack.workdir, "p9");
    stack.telegram.userText(OWNER, `/cd ${join(stack.workdir, "p8")}`);
    await stack.waitForText(/run in .*p8 /);
    stack.telegram.userText(OWNER, `/cd ${stack.workdir}`);
    await stack.waitForText(new RegExp(`run in ${stack.workdir} `));
    const next = newMessage(PICKER);
    stack.telegram.userText(OWNER, "/cd");
    const picker = await next;
    await tap(picker, "more ›");
    await until(picker, /\(9–12 of 12\)/);
    rmSync(doomed, { recursive: true });
    const answer = await tap(picker, "📁 p9");
    expect(answer.text).toBe(`${doomed} does not exist on this machine (any more)`);
    expect(answer.show_alert).toBe(true);
    expect(fresh(picker).text).toContain("(9–12 of 12)");

    // The chat's folder itself vanishes.
    const gone = join(stack.workdir, "p10");
    stack.telegram.userText(OWNER, `/cd ${gone}`);
    await stack.waitForText(/run in .*p10 /);
    rmSync(gone, { recursive: true });
    const fallback = newMessage(/Your folder:/);
    stack.telegram.userText(OWNER, "/cd");
    const shown = await fallback;
    expect(shown.text).toContain(`Your folder: ${gone} does not exist on this machine (any more).`);
    expect(shown.text).toContain(`📁 ${stack.workdir}: 10 folders`);

    // A folder outside the roots (allowed to be typed, refused by the machine) is not browsed either.
    stack.telegram.userText(OWNER, "/cd /etc");
    await stack.waitForText(/run in \/etc /);
    const outside = newMessage(/Your folder: \/etc is outside/);
    stack.telegram.userText(OWNER, "/cd");
    expect((await outside).text).toContain(`Your folder: /etc is outside the folders this machine allows (${stack.workdir}); add it on the machine with \`ra agent --root\`.\nlaptop runs prompts in /etc.\n📁 ${stack.workdir}: 10 folders`);
  });

  test("a forged or unknown picker button is refused", async () => {
    const picker = stack.messages(PICKER).at(-1)!;
    const id = stack.telegram.clickButton(OWNER, picker.message_id, "fo:AAAAAAAA");
    const answer = await stack.telegram.waitFor(() => stack.telegram.callbackAnswer(id), { message: "the answer to a forged tap" });
    expect(answer.text).toBe("This picker has expired. Send /cd again.");
  });
});
