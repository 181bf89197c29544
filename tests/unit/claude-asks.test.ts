// What the real claude CLI (the pinned 2.1.197, against the fake model) runs WITHOUT asking, which
// the agent's policy therefore never sees. The policy is sound only while all of that stays inside
// claude's working folder (always inside a root): if a claude upgrade changes this, this fails.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClaudeRunner } from "../../src/runner/claude-runner";
import type { PermissionMode } from "../../src/proto";
import { startFakeModelApi, type FakeModelApi } from "../fakes/model-api";
import { CLAUDE_BIN, createClaudeEnv, recordEvents, type ClaudeTestEnv } from "../helpers/claude-env";

let api: FakeModelApi;
let env: ClaudeTestEnv;
beforeAll(() => {
  api = startFakeModelApi();
  env = createClaudeEnv(api.url);
});
afterAll(async () => {
  await api.stop();
  env[Symbol.dispose]();
});

/** Runs each call in one claude (mode `mode`) and returns, per call, whether claude asked first. */
async function asks(mode: PermissionMode, calls: (cwd: string, outside: string) => [string, Record<string, unknown>][]): Promise<string[]> {
  const cwd = env.makeWorkdir();
  const outside = env.makeWorkdir();
  writeFileSync(join(cwd, "inside.txt"), "inside\n");
  writeFileSync(join(outside, "secret.txt"), "secret\n");
  mkdirSync(join(cwd, "sub"));
  symlinkSync(outside, join(cwd, "sub", "out"));
  const asked: string[] = [];
  const session = createClaudeRunner({ claudePath: CLAUDE_BIN }).start({
    cwd,
    env: env.env,
    mode,
    onPermissionRequest: async (request) => {
      asked.push(request.toolName);
      return { behavior: "deny", message: "no" };
    },
  });
  const rec = recordEvents(session);
  const answers: string[] = [];
  try {
    for (const [i, [name, input]] of calls(cwd, outside).entries()) {
      const before = asked.length;
      api.enqueue([{ toolUse: { name, input } }], [{ text: "ok" }]);
      session.send(`call ${i}`);
      await rec.nth("result", i + 1);
      answers.push(`${name} ${asked.length > before ? "asks" : "runs"}`);
    }
  } finally {
    await session.close();
  }
  return answers;
}

describe("what claude runs without asking", () => {
  test("acceptEdits: reads and edits inside the working folder run; outside, also through a symlink, claude asks", async () => {
    const got = await asks("acceptEdits", (cwd, outside) => [
      ["Read", { file_path: join(cwd, "inside.txt") }],
      ["Write", { file_path: join(cwd, "new.txt"), content: "x" }],
      ["Read", { file_path: join(outside, "secret.txt") }],
      ["Write", { file_path: join(outside, "new.txt"), content: "x" }],
      ["Read", { file_path: join(cwd, "sub", "out", "secret.txt") }],
      ["Write", { file_path: join(cwd, "sub", "out", "new2.txt"), content: "x" }],
      ["Bash", { command: `cat ${join(outside, "secret.txt")}` }],
    ]);
    expect(got).toEqual(["Read runs", "Write runs", "Read asks", "Write asks", "Read asks", "Write asks", "Bash asks"]);
  }, 60_000);

  test("default: edits inside ask too; read-only commands run without asking (Bash is not confined by the policy)", async () => {
    const got = await asks("default", (cwd) => [
      ["Read", { file_path: join(cwd, "inside.txt") }],
      ["Edit", { file_path: join(cwd, "inside.txt"), old_string: "inside", new_string: "x" }],
      ["Bash", { command: "echo hi" }],
    ]);
    expect(got).toEqual(["Read runs", "Edit asks", "Bash runs"]);
  }, 60_000);

  test("started in plan mode, claude asks before touch and Write in its folder (and the policy then denies them)", async () => {
    const got = await asks("plan", (cwd) => [
      ["Bash", { command: `touch ${join(cwd, "t.txt")}` }],
      ["Write", { file_path: join(cwd, "w.txt"), content: "x" }],
    ]);
    expect(got).toEqual(["Bash asks", "Write asks"]);
  }, 60_000);
});
