// Through the compiled binary: 20 wrong pairing codes across everyone pause pairing and every
// owner is told; `ra unpair` revokes on the relay, and a saved copy of the token is refused after.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLAUDE_BIN } from "../helpers/claude-env";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

const OTHERS = [1002, 1003, 1004, 1005];
let stack: Stack;
let dir: ReturnType<typeof tmpDir>;
beforeAll(async () => {
  stack = await startStack({ serveArgs: OTHERS.flatMap((id) => ["--owner", String(id)]) });
  dir = tmpDir();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await dir?.[Symbol.asyncDispose]();
});

describe("pairing brakes and unpairing", () => {
  test("the 20th wrong code across users pauses pairing for everyone, and every owner is told once", async () => {
    // The announcement of the stack's own machine goes out in the background: let it land first.
    for (const owner of OTHERS) await stack.waitForText(/^🔔 New machine paired: laptop/, `the new-machine notice to ${owner}`, owner);
    for (const [n, owner] of OTHERS.entries()) {
      for (let i = 1; i <= 5; i++) {
        stack.telegram.userText(owner, `/pair BCDFG-HJK${"LMNPQ"[i - 1]}${"BCDF"[n]}`);
        await stack.telegram.waitFor(() => stack.texts(owner).filter((t) => /^(That code|Too many)/.test(t)).length === i, { message: `answer ${i} to ${owner}` });
      }
    }
    const paused = /^⚠️ Pairing is paused until \d\d:\d\d UTC after 20 wrong pairing codes in 10 minutes\.$/;
    for (const owner of [OWNER, ...OTHERS]) await stack.waitForText(paused, `the pause notice to ${owner}`, owner);
    // Every owner heard of the machine the stack paired, too.
    expect(stack.texts(OTHERS[0]!)).toEqual([expect.stringMatching(/^🔔 New machine paired: laptop \(.+\) by User1001\.$/), ...Array(4).fill(expect.stringMatching(/^That code is not valid/)), expect.stringMatching(/^Too many wrong codes/), expect.stringMatching(paused)]);

    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "late", "--config", join(dir.path, "late.json")]);
    const code = (await pair.waitFor(/\/pair ([A-Z]{5}-[A-Z]{5})/))[1]!;
    stack.telegram.userText(OWNER, `/pair ${code}`);
    await stack.waitForText(/^Pairing is paused until \d\d:\d\d UTC after too many wrong codes\.$/);
    expect(stack.texts().filter((t) => paused.test(t))).toHaveLength(1);
  });

  test("ra unpair revokes the machine; a kept copy of its token is refused everywhere", async () => {
    const copy = join(dir.path, "copy.json");
    copyFileSync(stack.config, copy);
    chmodSync(copy, 0o600);
    const token = JSON.parse(readFileSync(copy, "utf8")).token as string;

    await using unpair = new RaProcess(["unpair", "--config", stack.config]);
    expect(await unpair.exitCode()).toBe(0);
    expect(unpair.stdout).toContain('Unpaired "laptop": revoked on the relay');
    expect(existsSync(stack.config)).toBe(false);
    expect(await stack.agent.exitCode()).toBe(77);

    for (const [method, path] of [["GET", "/api/device"], ["DELETE", "/api/device"], ["GET", "/ws/agent"]] as const) {
      const res = await fetch(`${stack.relayUrl}${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...(path === "/ws/agent" ? { Upgrade: "websocket" } : {}) } });
      expect(res.status).toBe(401);
    }
    await using agent = new RaProcess(["agent", "--config", copy, "--claude", CLAUDE_BIN]);
    expect(await agent.exitCode()).toBe(77);
    await using status = new RaProcess(["status", "--config", copy]);
    expect(await status.exitCode()).toBe(77);
    expect(stack.serve.output).not.toContain(token);

    stack.telegram.userText(OWNER, "/devices");
    await stack.waitForText(/No machine is paired yet/);
  });
});
