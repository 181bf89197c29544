// A copy of a machine's token cannot silently push the real agent out: the relay checks that the
// connected agent is alive, refuses the newcomer, and tells the owner at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { CLAUDE_BIN } from "../helpers/claude-env";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

let stack: Stack;
let dir: ReturnType<typeof tmpDir>;
beforeAll(async () => {
  stack = await startStack();
  dir = tmpDir();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await dir?.[Symbol.asyncDispose]();
});

describe("a second agent with the same token", () => {
  test("is refused while the first answers; the owner is told with Revoke at hand; the first keeps working", async () => {
    await using thief = new RaProcess(["agent", "--config", stack.config, "--data-dir", join(dir.path, "thief"), "--root", stack.workdir, "--claude", CLAUDE_BIN], { env: stack.claude.env });
    await thief.waitFor(/another ra agent with "laptop"'s token is connected to the relay, which keeps that one/, "the newcomer to be refused");
    await stack.waitForText(/^⚠️ A second ra agent with laptop's token tried to connect from 127\.0\.0\.1\.\nlaptop stays connected from 127\.0\.0\.1/, "the owner's alert");
    const alert = stack.messages(/A second ra agent with laptop's token/).at(-1)!;
    expect(alert.disable_notification).not.toBe(true);
    expect((alert.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text)).toEqual(["🗑 Revoke laptop", "Let the new one in"]);
    expect(stack.agent.output).not.toContain("replaced");
    stack.telegram.userText(OWNER, "still there?");
    await stack.waitForText(/echo: still there\?[\s\S]*✅ laptop/, "the answer from the first agent");
    expect(thief.output).not.toContain("still there?");
  });
});
