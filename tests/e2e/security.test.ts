// Only the owner reaches an agent: pairing confirmation and brakes, revocation, unpair, the
// machine's own limits, and hostile frames, each through the compiled binary.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLAUDE_BIN } from "../helpers/claude-env";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";
import { decodeQr, parseTerminalQr } from "../helpers/qr-decode";
import { MASKED_NOTE } from "../../src/relay/mask-secrets";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttonsOf = (m: { reply_markup?: { inline_keyboard: unknown[][] } }) =>
  (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ((b as { callback_data?: string }).callback_data ?? ""));
const buttons = (text: RegExp) => {
  const message = stack.messages(text).at(-1)!;
  return { message, data: (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : "")) };
};

describe("security through the compiled binary", () => {
  test("a stranger cannot pair, not even with a valid code", async () => {
    await using dir = tmpDir();
    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "intruder", "--config", join(dir.path, "c.json")]);
    const code = (await pair.waitFor(/\/pair ([A-Z]{5}-[A-Z]{5})/))[1]!;
    stack.telegram.userText(4242, `/pair ${code}`);
    await stack.telegram.waitFor(() => stack.texts(4242).length === 1, { message: "the stranger's refusal" });
    expect(stack.texts(4242)).toEqual(["Sorry, this is a private bot."]);
    expect(existsSync(join(dir.path, "c.json"))).toBe(false);
  });

  test("ra pair prints the deep link as a QR code and a typed code from the 20-consonant alphabet; the link pairs", async () => {
    await using dir = tmpDir();
    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "qr-box", "--config", join(dir.path, "c.json")]);
    await pair.waitFor(/Waiting…/);
    expect(pair.stdout).toMatch(/\/pair [BCDFGHJKLMNPQRSTVWXZ]{5}-[BCDFGHJKLMNPQRSTVWXZ]{5}\n/);
    const link = pair.stdout.match(/https:\/\/t\.me\/ra_test_bot\?start=(pair_[A-Za-z0-9_-]{22})/)!;
    const art = pair.stdout.split("\n").filter((l) => l.length > 20 && /^[█▀▄ ]+$/.test(l)).join("\n");
    const qr = decodeQr(parseTerminalQr(art));
    expect(qr).toMatchObject({ text: link[0], syndromesZero: true });

    stack.telegram.userText(OWNER, `/start ${link[1]}`);
    await stack.waitForText(/^Pair this machine\?[\s\S]*Machine: qr-box/);
    const card = buttons(/Machine: qr-box/);
    stack.telegram.clickButton(OWNER, card.message.message_id, card.data.find((d) => d.endsWith(":n"))!);
    expect(await pair.exitCode()).toBe(1);
    expect(stack.serve.output).not.toContain(link[1]);
  });

  test("rejecting the confirmation card ends `ra pair` with a clear error and no config", async () => {
    await using dir = tmpDir();
    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "suspicious", "--config", join(dir.path, "c.json")]);
    const code = (await pair.waitFor(/\/pair ([A-Z]{5}-[A-Z]{5})/))[1]!;
    stack.telegram.userText(OWNER, `/pair ${code}`);
    await stack.waitForText(/^Pair this machine\?[\s\S]*Machine: suspicious/);
    const card = buttons(/Machine: suspicious/);
    stack.telegram.clickButton(OWNER, card.message.message_id, card.data.find((d) => d.endsWith(":n"))!);
    expect(await pair.exitCode()).toBe(1);
    expect(pair.stderr).toContain("the owner rejected this pairing in Telegram");
    expect(existsSync(join(dir.path, "c.json"))).toBe(false);
  });

  test("the agent refuses a config other users can read, and says how to fix it", async () => {
    await using dir = tmpDir();
    const loose = join(dir.path, "config.json");
    copyFileSync(stack.config, loose);
    chmodSync(loose, 0o644);
    await using agent = new RaProcess(["agent", "--config", loose, "--claude", CLAUDE_BIN]);
    expect(await agent.exitCode()).toBe(78);
    expect(agent.stderr).toContain("readable by other users");
    expect(agent.stderr).toContain(`chmod 600 ${loose}`);
  });

  test("--root is repeatable: every folder given becomes a root", async () => {
    await using dir = tmpDir();
    const [a, b] = [join(dir.path, "a"), join(dir.path, "b")];
    mkdirSync(a);
    mkdirSync(b);
    const config = join(dir.path, "c.json");
    writeFileSync(config, JSON.stringify({ relay: "http://127.0.0.1:9", deviceId: "d", name: "roots", token: "ra_dev_unused" }), { mode: 0o600 });
    await using agent = new RaProcess(["agent", "--config", config, "--data-dir", join(dir.path, "data"), "--root", a, "--root", b, "--claude", CLAUDE_BIN]);
    await agent.waitFor(/runs prompts in/);
    expect(agent.output).toContain(`"roots" runs prompts in ${realpathSync(a)}, ${realpathSync(b)}`);
  });

  test("/cd outside the machine's roots, directly or through a symlink, is refused by the machine", async () => {
    const link = join(stack.workdir, "escape");
    symlinkSync("/etc", link);
    stack.telegram.userText(OWNER, `/cd ${link}`);
    await stack.waitForText(/Next prompts on laptop run in/);
    stack.telegram.userText(OWNER, "list files");
    await stack.waitForText(/refused by the machine: .*outside the folders this machine allows/);
    stack.telegram.userText(OWNER, "/cd /");
    await stack.waitForText(/Next prompts on laptop run in \/ /);
    stack.telegram.userText(OWNER, "list files again");
    await stack.telegram.waitFor(() => stack.texts().filter((t) => /outside the folders this machine allows/.test(t)).length === 2, { message: "the second refusal" });
    stack.telegram.userText(OWNER, `/cd ${stack.workdir}`);
    await stack.waitForText(new RegExp(`run in ${stack.workdir}`));
  });

  test("a mode above the machine's cap is not offered, and a forged tap is refused by the machine", async () => {
    stack.telegram.userText(OWNER, "/mode");
    await stack.waitForText(/Permission mode on laptop/);
    const menu = buttons(/Permission mode on laptop/);
    expect(menu.data).not.toContain("mode:bypassPermissions");
    const tap = stack.telegram.clickButton(OWNER, menu.message.message_id, "mode:bypassPermissions");
    const answer = await stack.telegram.waitFor(() => stack.telegram.callbackAnswer(tap), { message: "the forged tap's answer" });
    expect(answer.text).toBe("laptop allows at most acceptEdits (set on the machine with ra agent --max-mode).");
    stack.telegram.userText(OWNER, "/mode");
    await stack.telegram.waitFor(() => stack.texts().filter((t) => t.startsWith("Permission mode on laptop: default")).length === 2, { message: "the mode to be unchanged" });
  });

  test("oversized and malformed frames close only that connection", async () => {
    const ws = new WebSocket(`${stack.relayUrl.replace("http", "ws")}/ws/pair`);
    await new Promise((resolve) => (ws.onopen = resolve));
    const closed = new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)));
    ws.send("x".repeat((1 << 20) + 1));
    expect(await closed).toBe(1009);

    const bad = new WebSocket(`${stack.relayUrl.replace("http", "ws")}/ws/pair`);
    const replies: string[] = [];
    bad.onmessage = (e) => replies.push(String(e.data));
    await new Promise((resolve) => (bad.onopen = resolve));
    const badClosed = new Promise<number>((resolve) => (bad.onclose = (e) => resolve(e.code)));
    bad.send("{not json");
    expect(await badClosed).toBe(1002);
    expect(JSON.parse(replies[0]!)).toMatchObject({ type: "error", code: "bad_frame", message: "frame is not JSON" });

    const unauthorized = await fetch(`${stack.relayUrl}/ws/agent`, { headers: { Authorization: "Bearer ra_dev_forged", Upgrade: "websocket" } });
    expect(unauthorized.status).toBe(401);

    stack.telegram.userText(OWNER, "still fine?");
    await stack.waitForText(/echo: still fine\?[\s\S]*✅ laptop/);
  });

  test("a secret in a tool call is masked on the approval card; no Bot API call ever carries it", async () => {
    const token = `ghp_${"Q".repeat(36)}`;
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: `curl -H "Authorization: token ${token}" https://api.github.com/user`, description: "Ask GitHub who I am" } } }], [{ text: "Denied, fine." }]);
    stack.telegram.userText(OWNER, "who am i on github");
    const card = await stack.telegram.waitFor(() => stack.messages(/wants to/).find((m) => buttonsOf(m).some((d) => d.startsWith("ap:"))), { message: "the approval card" });
    expect(card.text).toContain("ghp_…[masked]");
    expect(card.text).toContain(MASKED_NOTE);
    stack.telegram.clickButton(OWNER, card.message_id, buttonsOf(card).find((d) => d.startsWith("ap:") && d.endsWith(":d"))!);
    await stack.waitForText(/Denied, fine\.[\s\S]*✅ laptop/);
    expect(stack.telegram.calls.filter((c) => JSON.stringify(c).includes(token))).toEqual([]);
  });

  test("revoking mid-turn from /devices ends the turn and disconnects the agent at once; it exits 77 and does not retry", async () => {
    const answer = Array.from({ length: 60 }, (_, i) => `Sentence ${i + 1} of a long answer.`).join(" ");
    stack.model.enqueue([{ text: answer, chunkSize: 10, delayMs: 40 }]);
    stack.telegram.userText(OWNER, "talk for a while");
    await stack.waitForText(/Sentence 2 of/, "the turn to be streaming");
    stack.telegram.userText(OWNER, "/devices");
    await stack.waitForText(/🟡 laptop – busy/);
    const list = buttons(/laptop – busy/);
    stack.telegram.clickButton(OWNER, list.message.message_id, list.data.find((d) => d.startsWith("rv:") && d.endsWith(":?"))!);
    await stack.waitForText(/^Revoke laptop/);
    const confirm = buttons(/^Revoke laptop/);
    stack.telegram.clickButton(OWNER, confirm.message.message_id, confirm.data.find((d) => d.endsWith(":y"))!);
    expect(await stack.agent.exitCode()).toBe(77);
    await stack.waitForText(/Sentence 2 of[\s\S]*⚠️ failed · laptop[\s\S]*laptop was revoked\./, "the turn to end as revoked");
    expect(stack.texts().join("\n")).not.toContain("Sentence 60 of");
    expect(stack.agent.stderr).toContain("it was unpaired or revoked");
    expect(stack.agent.stderr).not.toContain("retrying");
    await using status = new RaProcess(["status", "--config", stack.config]);
    expect(await status.exitCode()).toBe(77);
    expect(status.stderr).toContain("the relay does not know this machine any more");
  });

  test("wrong pairing codes get no hints, and the 5th in 10 minutes locks the user out", async () => {
    for (let i = 1; i <= 4; i++) {
      stack.telegram.userText(OWNER, `/pair BCDFG-HJKL${"BCDF"[i - 1]}`);
      await stack.telegram.waitFor(() => stack.texts().filter((t) => t.startsWith("That code is not valid")).length === i, { message: `refusal ${i}` });
    }
    stack.telegram.userText(OWNER, "/pair BCDFG-HJKLM");
    await stack.waitForText(/Too many wrong codes\. Pairing is locked for you until \d\d:\d\d UTC\./);
    expect(stack.texts().filter((t) => t.startsWith("That code is not valid"))).toHaveLength(4);
  });
});
