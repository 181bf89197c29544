// The Claude runner against the real `claude` CLI (the pinned 2.1.197), which talks to the
// scripted fake model API on loopback. Each test starts its own claude process (~1 s).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DENY_MESSAGE } from "../../src/runner/permission";
import { createClaudeRunner } from "../../src/runner/claude-runner";
import { lastUserText, startFakeModelApi, textsOf, toolResultsOf, type FakeModelApi } from "../fakes/model-api";
import { CLAUDE_BIN, createClaudeEnv, recordEvents, type ClaudeTestEnv } from "../helpers/claude-env";

let api: FakeModelApi;
let claudeEnv: ClaudeTestEnv;
const runner = createClaudeRunner({ claudePath: CLAUDE_BIN });

beforeAll(() => {
  api = startFakeModelApi();
  claudeEnv = createClaudeEnv(api.url);
});

afterAll(async () => {
  await api.stop();
  claudeEnv[Symbol.dispose]();
});

const start = (options: { cwd?: string; resume?: string } = {}) =>
  runner.start({ cwd: options.cwd ?? claudeEnv.makeWorkdir(), env: claudeEnv.env, resume: options.resume });

const isGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe("claude runner against the real CLI", () => {
  test("a text turn streams in several text events and ends done with cost and turns", async () => {
    const answer = "Hello from the fake model, streamed in several small pieces.";
    api.enqueue([{ text: answer, chunkSize: 6 }]);
    const session = start();
    const rec = recordEvents(session);
    session.send("say hello");

    const result = await rec.nth("result", 1);
    const init = rec.of("init")[0];
    expect(init?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.of("text").length).toBeGreaterThanOrEqual(5);
    expect(rec.of("text").map((e) => e.text).join("")).toBe(answer);
    expect(result).toMatchObject({ kind: "result", status: "done", turns: 1, sessionId: init?.sessionId });
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(lastUserText((await api.waitForRequest(api.requests.length)).body)).toBe("say hello");

    await session.close();
    expect(await session.exited).toBe(0);
    expect(rec.events.at(-1)).toMatchObject({ kind: "exit", code: 0, signal: null });
    expect(isGone(session.pid)).toBe(true);
  });

  test("a follow-up prompt in the same process carries the earlier exchange to the model", async () => {
    const session = start();
    const rec = recordEvents(session);
    session.send("the first prompt");
    await rec.nth("result", 1);
    const before = api.requests.length;
    session.send("the second prompt");
    const second = await rec.nth("result", 2);

    expect(second.status).toBe("done");
    expect(rec.of("text").map((e) => e.text).join("")).toBe("echo: the first promptecho: the second prompt");
    const request = (await api.waitForRequest(before + 1)).body;
    expect(lastUserText(request)).toBe("the second prompt");
    const history = (request?.messages ?? []).flatMap((m) => textsOf(m).map((text) => `${m.role}: ${text}`));
    expect(history).toContain("user: the first prompt");
    expect(history).toContain("assistant: echo: the first prompt");
    expect(rec.of("init").map((e) => e.sessionId)).toEqual([second.sessionId!, second.sessionId!]);
    await session.close();
  });

  test("--resume in a new process continues the conversation", async () => {
    const cwd = claudeEnv.makeWorkdir();
    const first = start({ cwd });
    const firstRec = recordEvents(first);
    first.send("remember the number 4711");
    const { sessionId } = await firstRec.nth("result", 1);
    await first.close();
    expect(sessionId).toBeDefined();

    const before = api.requests.length;
    const resumed = start({ cwd, resume: sessionId });
    const rec = recordEvents(resumed);
    resumed.send("which number was it?");
    const result = await rec.nth("result", 1);

    expect(result).toMatchObject({ status: "done", sessionId });
    expect(rec.of("init")[0]?.sessionId).toBe(sessionId!);
    const request = (await api.waitForRequest(before + 1)).body;
    const history = (request?.messages ?? []).flatMap((m) => textsOf(m).map((text) => `${m.role}: ${text}`));
    expect(history).toContain("user: remember the number 4711");
    expect(history).toContain("assistant: echo: remember the number 4711");
    expect(lastUserText(request)).toBe("which number was it?");
    await resumed.close();
  });

  test("interrupt during a slow stream ends the turn stopped quickly and the session takes another prompt", async () => {
    api.enqueue({ blocks: [{ text: "a long answer that never finishes", chunkSize: 4 }], stall: true });
    const session = start();
    const rec = recordEvents(session);
    session.send("a slow answer please");
    await api.waitForStall();
    await rec.nth("text", 3);

    const t0 = performance.now();
    await session.interrupt();
    const stopped = await rec.nth("result", 1);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(stopped.status).toBe("stopped");
    expect(stopped.error).toBeUndefined();

    session.send("are you still there?");
    const next = await rec.nth("result", 2);
    expect(next.status).toBe("done");
    expect(rec.of("text").map((e) => e.text).join("")).toEndWith("echo: are you still there?");
    await session.close();
  });

  test("a tool that needs permission is denied by default: nothing runs and the model sees the denial", async () => {
    api.enqueue([{ text: "I will create the file." }, { toolUse: { name: "Bash", input: { command: "touch made-by-tool.txt", description: "create a file" } } }]);
    const cwd = claudeEnv.makeWorkdir();
    const session = start({ cwd });
    const rec = recordEvents(session);
    const before = api.requests.length;
    session.send("please create a file");
    const result = await rec.nth("result", 1);

    expect(result.status).toBe("done");
    expect(existsSync(join(cwd, "made-by-tool.txt"))).toBe(false);
    const [tool] = rec.of("tool");
    expect(tool).toMatchObject({ kind: "tool", name: "Bash", input: { command: "touch made-by-tool.txt", description: "create a file" } });
    expect(rec.of("tool.result")).toEqual([{ kind: "tool.result", toolUseId: tool!.toolUseId, isError: true, output: DEFAULT_DENY_MESSAGE }]);
    const followUp = (await api.waitForRequest(before + 2)).body;
    expect(toolResultsOf(followUp)).toContainEqual(
      expect.objectContaining({ type: "tool_result", tool_use_id: tool!.toolUseId, is_error: true, content: DEFAULT_DENY_MESSAGE }),
    );
    await session.close();
  });

  test("close() mid-turn ends the process and its group", async () => {
    api.enqueue({ blocks: [{ text: "thinking hard" }], stall: true });
    const session = start();
    const rec = recordEvents(session);
    session.send("take your time");
    await api.waitForStall();

    await session.close();
    const exit = rec.of("exit")[0];
    expect(exit).toBeDefined();
    expect(rec.events.at(-1)).toBe(exit!);
    expect(isGone(session.pid)).toBe(true);
    expect(() => process.kill(-session.pid, 0)).toThrow();
    session.send("ignored after close");
    await session.interrupt();
  });

  test("an API error ends the turn failed with the error text, and the session goes on", async () => {
    api.enqueue({ httpError: { status: 400, body: { type: "error", error: { type: "invalid_request_error", message: "scripted bad request" } } } });
    const session = start();
    const rec = recordEvents(session);
    session.send("this will fail");
    const failed = await rec.nth("result", 1);
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("scripted bad request");

    session.send("and this works");
    expect((await rec.nth("result", 2)).status).toBe("done");
    await session.close();
  });

  test("the permission seam: an allow from onPermissionRequest runs the tool with the input it returned", async () => {
    api.enqueue([{ toolUse: { name: "Bash", input: { command: "touch asked-for.txt", description: "create a file" } } }]);
    const cwd = claudeEnv.makeWorkdir();
    const asked: string[] = [];
    const session = runner.start({
      cwd,
      env: claudeEnv.env,
      onPermissionRequest: async (request) => {
        asked.push(`${request.toolName}: ${String(request.input.command)}`);
        return { behavior: "allow", updatedInput: { ...request.input, command: "touch edited-by-phone.txt" } };
      },
    });
    const rec = recordEvents(session);
    session.send("create it");
    expect((await rec.nth("result", 1)).status).toBe("done");
    expect(asked).toEqual(["Bash: touch asked-for.txt"]);
    expect(existsSync(join(cwd, "asked-for.txt"))).toBe(false);
    expect(existsSync(join(cwd, "edited-by-phone.txt"))).toBe(true);
    expect(rec.of("tool.result")).toMatchObject([{ isError: false }]);
    await session.close();
  });

  test("an interrupt while a permission question is open cancels it and ends the turn stopped", async () => {
    api.enqueue([{ toolUse: { name: "Bash", input: { command: "touch never.txt", description: "create a file" } } }]);
    const cwd = claudeEnv.makeWorkdir();
    let asked!: () => void;
    const askedPromise = new Promise<void>((resolve) => (asked = resolve));
    let cancelled!: () => void;
    const cancelledPromise = new Promise<void>((resolve) => (cancelled = resolve));
    const session = runner.start({
      cwd,
      env: claudeEnv.env,
      onPermissionRequest: (_request, signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            cancelled();
            resolve({ behavior: "allow", updatedInput: {} });
          });
          asked();
        }),
    });
    const rec = recordEvents(session);
    session.send("create it");
    await askedPromise;
    await session.interrupt();
    await cancelledPromise;
    expect((await rec.nth("result", 1)).status).toBe("stopped");
    expect(existsSync(join(cwd, "never.txt"))).toBe(false);
    await session.close();
  });
});
