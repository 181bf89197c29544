// /desk through the compiled binary, a real agent and the real claude CLI: a session started by
// `claude -p` in a terminal (same HOME as the agent) is listed, shown, and continued from the
// phone with its earlier context; bad transcripts, vanished folders and unknown ids say so.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { projectDirName } from "../../src/agent/transcripts";
import { lastUserText } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import { CLAUDE_BIN } from "../helpers/claude-env";
import { OWNER, startStack, type Stack } from "../helpers/stack";

const FIXTURE_ID = "aea82003-a4af-4c29-9b16-a3e989181f64";
const FIXTURE = resolve(import.meta.dir, "..", "fixtures", "claude", "transcripts", `${FIXTURE_ID}.jsonl`);

const labels = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
const fresh = (stack: Stack, m: StoredMessage) => stack.telegram.chat(OWNER).find((x) => x.message_id === m.message_id)!;
async function tap(stack: Stack, m: StoredMessage, label: RegExp) {
  const button = (fresh(stack, m).reply_markup?.inline_keyboard ?? []).flat().find((b) => label.test(b.text));
  if (!button || !("callback_data" in button)) throw new Error(`no button ${label} on: ${labels(fresh(stack, m)).join(" | ")}`);
  const id = stack.telegram.clickButton(OWNER, m.message_id, button.callback_data!);
  return stack.telegram.waitFor(() => stack.telegram.callbackAnswer(id), { timeoutMs: 30_000, message: `the answer to the tap on ${label}` });
}
const until = (stack: Stack, m: StoredMessage, pattern: RegExp) =>
  stack.telegram.waitFor(() => pattern.test(fresh(stack, m).text ?? "") && fresh(stack, m), { timeoutMs: 30_000, message: `the message to say ${pattern}` });
async function reply(stack: Stack, command: string, pattern: RegExp) {
  const before = stack.messages(pattern).length;
  stack.telegram.userText(OWNER, command);
  return stack.telegram.waitFor(() => stack.messages(pattern)[before], { timeoutMs: 30_000, message: `the answer to ${command}` });
}

/** Runs `claude -p PROMPT` in `cwd` as a person at the desk would, with the agent's claude environment. */
async function claudeAtTheDesk(stack: Stack, cwd: string, prompt: string, env: Record<string, string> = {}): Promise<void> {
  const run = Bun.spawn([CLAUDE_BIN, "-p", prompt], { cwd, env: { ...stack.claude.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = [await run.exited, await new Response(run.stdout).text(), await new Response(run.stderr).text()];
  if (code !== 0) throw new Error(`claude -p failed (${code}): ${out}\n${err}`);
}
const idsIn = (projects: string, cwd: string) => readdirSync(join(projects, projectDirName(cwd))).filter((f) => f.endsWith(".jsonl")).map((f) => f.slice(0, -6));

describe("/desk: sessions started at the desk", () => {
  let stack: Stack;
  let projects: string;
  beforeAll(async () => {
    stack = await startStack();
    projects = join(stack.claude.home, ".claude", "projects");
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
  });

  test("a `claude -p` session is listed, shown with its last exchange, and continues from the phone with its earlier context", async () => {
    const fruit = join(stack.workdir, "fruit");
    mkdirSync(fruit);
    await claudeAtTheDesk(stack, fruit, "remember the word kumquat");
    const [id] = idsIn(projects, fruit);

    const list = await reply(stack, "/desk", /Claude sessions on laptop/);
    expect(list.text).toBe("🖥 Claude sessions on laptop, newest first (1):\n1. fruit – “remember the word kumquat” – just now\nTap one to see its last exchange and continue it here.");
    expect(labels(list)).toEqual(["1. fruit · “remember the word kumquat”"]);

    await tap(stack, list, /^1\. fruit/);
    const detail = await until(stack, list, /Last activity/);
    expect(detail.text).toBe([
      `🖥 ${fruit} on laptop`,
      "Started with: “remember the word kumquat”",
      "Last activity: just now",
      "",
      "You: “remember the word kumquat”",
      "Claude: echo: remember the word kumquat",
      `claude --resume ${id}`,
    ].join("\n"));
    expect(labels(detail)).toEqual(["▶ Continue here", "‹ back"]);

    await tap(stack, list, /Continue here/);
    await until(stack, list, new RegExp(`Your next message continues this claude session on laptop, in ${fruit}\\.\\nTo take it back at the desk: claude --resume ${id}`));

    const before = stack.model.requests.length;
    stack.model.enqueue([{ text: "The word was kumquat." }]);
    stack.telegram.userText(OWNER, "what was the word?");
    const answer = await stack.telegram.waitFor(() => stack.messages(/The word was kumquat\.[\s\S]*✅ laptop/)[0], { timeoutMs: 60_000, message: "the answer" });
    const request = stack.model.requests.slice(before).find((r) => lastUserText(r.body) === "what was the word?")!;
    // The earlier prompt and claude's answer to it went to the model with the new one.
    const sent = JSON.stringify(request.body?.messages);
    expect(sent).toContain("remember the word kumquat");
    expect(sent).toContain("echo: remember the word kumquat");
    expect(answer.text).toContain(`claude --resume ${id}`);
    // The desk can take it back: the same transcript now holds the phone's turn.
    expect(readFileSync(join(projects, projectDirName(fruit), `${id}.jsonl`), "utf8")).toContain("what was the word?");
  });

  test("corrupt transcripts are named and skipped; a vanished folder cannot be continued; unknown and outside ids say so; nothing else changes", async () => {
    const put = (cwd: string, id: string, text: string) => {
      mkdirSync(join(projects, projectDirName(cwd)), { recursive: true });
      writeFileSync(join(projects, projectDirName(cwd), `${id}.jsonl`), text);
    };
    const fixtureIn = (cwd: string) => readFileSync(FIXTURE, "utf8").replaceAll("/home/user/project", cwd);
    const gone = join(stack.workdir, "gone");
    put(gone, "11111111-gone", fixtureIn(gone));
    put(join(stack.workdir, "junk"), "22222222-junk", "\u0000\u0001 not json\n{{{\n");
    const outside = "/opt/elsewhere";
    put(stack.workdir, "33333333-outside", fixtureIn(outside));

    const list = await reply(stack, "/desk", /Claude sessions on laptop/);
    expect(list.text).toStartWith("(1 could not be read: 22222222-junk is not a claude transcript (2 unreadable lines))\n🖥 Claude sessions on laptop, newest first (2):\n1. gone – “remember the word kumquat” – just now – folder gone\n2. fruit");
    expect(list.text).not.toContain("33333333-outside");
    await tap(stack, list, /^1\. gone/);
    const detail = await until(stack, list, /no longer exists/);
    expect(detail.text).toContain("⚠ Its folder no longer exists on laptop, so it cannot be continued there.");
    expect(labels(detail)).toEqual(["‹ back"]);
    await tap(stack, list, /back/);
    await until(stack, list, /newest first \(2\)/);

    expect((await reply(stack, "/desk 11111111-gone", /no longer exists/)).text).toBe(`The folder of claude session 11111111-gone (${gone}) no longer exists on laptop; it cannot be continued there.`);
    expect((await reply(stack, "/desk 22222222-junk", /cannot be continued/)).text).toBe("Claude session 22222222-junk on laptop is not a claude transcript (2 unreadable lines); it cannot be continued. Send /desk for the others.");
    expect((await reply(stack, "/desk 33333333-outside", /There is no claude session/)).text).toBe("There is no claude session 33333333-outside under laptop's folders. Send /desk to see the ones there are.");
    expect((await reply(stack, "/desk no-such-session", /There is no claude session/)).text).toBe("There is no claude session no-such-session under laptop's folders. Send /desk to see the ones there are.");
    expect((await reply(stack, "/desk ../../etc/passwd", /is not a claude session id/)).text).toBe('"../../etc/passwd" is not a claude session id. Send /desk to pick one.');

    // None of it touched the conversation the chat continues.
    stack.telegram.userText(OWNER, "still the same conversation?");
    const request = await stack.model.waitForRequest(stack.model.requests.length + 1);
    expect(JSON.stringify(request.body?.messages)).toContain("remember the word kumquat");
    await stack.waitForText(/echo: still the same conversation\?[\s\S]*✅ laptop/);
  });
});

describe("/desk with CLAUDE_CONFIG_DIR", () => {
  let stack: Stack;
  let config: string;
  beforeAll(async () => {
    config = join(Bun.env.TMPDIR ?? "/tmp", `ra-desk-config-${process.pid}`);
    mkdirSync(config, { recursive: true });
    stack = await startStack({ agentEnv: { CLAUDE_CONFIG_DIR: config } });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    rmSync(config, { recursive: true, force: true });
  });

  test("the agent reads the transcripts where claude keeps them under CLAUDE_CONFIG_DIR", async () => {
    await claudeAtTheDesk(stack, stack.workdir, "kept in the config dir", { CLAUDE_CONFIG_DIR: config });
    const [id] = idsIn(join(config, "projects"), stack.workdir);
    const list = await reply(stack, "/desk", /Claude sessions on laptop/);
    expect(list.text).toContain("“kept in the config dir”");
    await tap(stack, list, /^1\./);
    await until(stack, list, new RegExp(`claude --resume ${id}`));

    // /sessions leads to the same list: the chat has no conversation yet, the terminal's are a tap away.
    const sessions = await reply(stack, "/sessions", /No conversation with laptop/);
    expect(sessions.text).toBe("No conversation with laptop in this chat yet: write a prompt to start one, or continue one started in a terminal there.");
    expect(labels(sessions)).toEqual(["🖥 Sessions started in a terminal…"]);
    await tap(stack, sessions, /started in a terminal/);
    const listed = await until(stack, sessions, /Claude sessions on laptop/);
    expect(listed.text).toContain("“kept in the config dir”");
    expect(labels(listed)).toEqual(["1. " + (stack.workdir.split("/").pop() ?? "") + " · “kept in the config dir”"]);
  });
});
