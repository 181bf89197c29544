// Nothing lost: each fault happens for real (kill -9, a cut link, Telegram errors, a crashing
// claude, an unusable data dir), and the owner's transcript is checked to hold every chunk once.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { textsOf } from "../fakes/model-api";
import { REPO_ROOT, RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

const stacks: Stack[] = [];
const stackFor = async (options: Parameters<typeof startStack>[0] = {}) => {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
};
afterAll(async () => {
  for (const stack of stacks) await stack[Symbol.asyncDispose]();
});

/** A long answer streamed slowly, so faults land in the middle of it. */
const SLOW_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} of a long answer.`).join(" ");
const slowly = [{ text: SLOW_ANSWER, chunkSize: 12, delayMs: 25 }];

/** The answer's text must appear exactly once in the chat, complete. */
function expectWholeOnce(stack: Stack, answer: string) {
  const all = stack.texts().join("\n");
  expect(all.split("Sentence 1 of").length - 1).toBe(1);
  expect(all).toContain(answer);
  expect(all.split("Sentence 40 of a long answer.").length - 1).toBe(1);
}

describe("faults, and nothing lost", () => {
  test("kill -9 the relay mid-stream and restart it: the answer arrives whole, once", async () => {
    const stack = await stackFor();
    stack.model.enqueue(slowly);
    stack.telegram.userText(OWNER, "tell me a long story");
    await stack.waitForText(/Sentence 3 of/);
    await stack.liveMessageStored(stack.messages(/Sentence 3 of/)[0]!.message_id);
    await stack.crashAndRestartServe();
    await stack.waitForText(/Sentence 40 of a long answer\.[\s\S]*✅ laptop/, "the whole answer after the relay restart");
    expectWholeOnce(stack, SLOW_ANSWER);
  });

  test("the WebSocket is cut mid-turn: the agent reconnects and replays, every chunk once", async () => {
    const stack = await stackFor({ viaProxy: true });
    stack.model.enqueue(slowly);
    stack.telegram.userText(OWNER, "another long story");
    await stack.waitForText(/Sentence 3 of/);
    stack.proxy!.cut();
    await stack.agent.waitFor(/lost the connection to the relay/, "the agent to notice");
    await stack.waitForText(/Sentence 40 of a long answer\.[\s\S]*✅ laptop/, "the whole answer after the reconnect");
    expectWholeOnce(stack, SLOW_ANSWER);
    expect(stack.agent.stderr).toMatch(/connected to .* as "laptop"[\s\S]*connected to .* as "laptop"/);
  });

  test("the link is cut while a card is open: denied by default, and claude hears it", async () => {
    const stack = stacks[1]!;
    const file = join(stack.workdir, "cut.txt");
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "x" } } }], [{ text: "OK, it was denied." }]);
    stack.telegram.userText(OWNER, "write during a cut");
    await stack.waitForText(/Write wants to/);
    stack.proxy!.cut();
    await stack.waitForText(/denied: laptop disconnected/, "the card to say denied");
    await stack.waitForText(/OK, it was denied\.[\s\S]*✅ laptop/, "the turn to finish after the reconnect");
    expect(await Bun.file(file).exists()).toBe(false);
  });

  test("kill -9 the agent mid-turn and restart it: the turn says so, the conversation resumes", async () => {
    const stack = await stackFor();
    stack.model.enqueue([{ text: "First answer." }]);
    stack.telegram.userText(OWNER, "remember the word banana");
    await stack.waitForText(/First answer\.[\s\S]*✅ laptop/);
    stack.model.enqueue({ blocks: [{ text: "Working slowly" }], stall: true });
    stack.telegram.userText(OWNER, "now a slow one");
    await stack.model.waitForStall();
    await stack.waitForText(/Working slowly/);
    stack.agent.kill("SIGKILL");
    await stack.agent.exitCode();
    stack.model.release();
    await stack.restartAgent();
    await stack.waitForText(/laptop restarted during this turn; session resumed/, "the turn to say the machine restarted");
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "what was the word?");
    const request = await stack.model.waitForRequest(seen + 1);
    expect((request.body?.messages ?? []).flatMap(textsOf).join("\n")).toContain("remember the word banana");
    await stack.waitForText(/echo: what was the word\?[\s\S]*✅ laptop/);
  });

  test("Telegram answers 502 and then 429 for a while: the answer still arrives whole, and retry_after is respected", async () => {
    const stack = stacks[0]!;
    const before = stack.telegram.calls.length;
    stack.telegram.injectFault("sendMessage", { error_code: 502, count: 2 });
    stack.model.enqueue({ blocks: [{ text: "Despite Telegram's trouble, this arrives." }], stall: true });
    stack.telegram.userText(OWNER, "try through the storm");
    await stack.model.waitForStall();
    await stack.waitForText(/Despite Telegram's trouble, this arrives\./, "the text through two 502s");
    stack.telegram.injectFault("editMessageText", { error_code: 429, retry_after: 1, count: 1 });
    stack.model.release();
    await stack.waitForText(/Despite Telegram's trouble, this arrives\.[\s\S]*✅ laptop/, "the end of the turn through a 429");
    const calls = stack.telegram.calls.slice(before).filter((c) => c.method === "sendMessage" || c.method === "editMessageText");
    expect(calls.slice(0, 3).map((c) => c.response?.ok ? "ok" : c.response?.error_code)).toEqual([502, 502, "ok"]);
    const limited = calls.findIndex((c) => c.response && !c.response.ok && c.response.error_code === 429);
    expect(limited).toBeGreaterThan(2);
    expect(calls[limited + 1]!.at - calls[limited]!.at).toBeGreaterThanOrEqual(1000);
    expect(stack.texts().filter((t) => t.includes("Despite Telegram's trouble"))).toHaveLength(1);
  });

  test("claude crashing mid-turn and printing garbage: a clear failure, and the next prompt works", async () => {
    await using dir = tmpDir();
    const fake = join(dir.path, "claude");
    writeFileSync(fake, `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, "tests", "fixtures", "fake-claude-garbage.ts")}" "$@"\n`);
    chmodSync(fake, 0o755);
    const stack = await stackFor({ claudePath: fake });
    stack.telegram.userText(OWNER, "crash please");
    await stack.waitForText(/⚠️ failed · laptop[\s\S]*claude exited with code 1 in the middle of the turn[\s\S]*panic: the fake claude crashed mid-turn/);
    expect(stack.texts().join("\n")).toContain("got: crash please");
    expect(stack.agent.stderr).toContain("claude printed a line ra does not understand");
    stack.telegram.userText(OWNER, "again");
    await stack.telegram.waitFor(() => stack.texts().filter((t) => t.includes("claude exited with code 1")).length === 2, { message: "the second turn to be handled" });
  });

  test("an unusable data dir at start is a clear error and a non-zero exit, for serve and agent", async () => {
    await using dir = tmpDir();
    const file = join(dir.path, "not-a-dir");
    writeFileSync(file, "");
    await using serve = new RaProcess(["serve", "--bot-token", "1:x", "--data-dir", join(file, "relay"), "--listen", "127.0.0.1:0"]);
    expect(await serve.exitCode()).toBe(74);
    expect(serve.stderr).toContain(`cannot create the data directory ${join(file, "relay")}`);
    const stack = stacks[0]!;
    await using agent = new RaProcess(["agent", "--config", stack.config, "--data-dir", join(file, "agent")]);
    expect(await agent.exitCode()).toBe(74);
    expect(agent.stderr).toContain("cannot write to the agent's data directory");
  });

  test("a second agent with the same config and data dir refuses to start", async () => {
    const stack = stacks[0]!;
    await using second = new RaProcess(["agent", "--config", stack.config, "--root", stack.workdir], { env: stack.claude.env });
    expect(await second.exitCode()).toBe(78);
    expect(second.stderr).toMatch(/another ra agent \(pid \d+\) already runs/);
    stack.telegram.userText(OWNER, "first agent still fine?");
    await stack.waitForText(/echo: first agent still fine\?[\s\S]*✅ laptop/);
  });
});
