// The claude session's control logic with an in-memory child behind the Spawner seam: permission
// questions, cancels, unknown control requests, interrupt acknowledgement, close escalation.
import { describe, expect, test } from "bun:test";
import { createClaudeRunner } from "../../src/runner/claude-runner";
import { DEFAULT_DENY_MESSAGE, type PermissionHandler, type PermissionRequest } from "../../src/runner/permission";
import type { ChildExit, ChildProcess, SpawnRequest, Spawner } from "../../src/runner/spawn";
import type { RunnerEvent } from "../../src/runner/types";

interface FakeChild extends ChildProcess {
  /** Writes one stdout line (an object is JSON-encoded). */
  print(line: Record<string, unknown> | string): void;
  /** The n-th (1-based) line written to stdin, parsed. */
  written(n: number): Promise<Record<string, unknown>>;
  readonly lines: Record<string, unknown>[];
  readonly signals: string[];
  readonly inputEnded: boolean;
  exit(status: ChildExit): void;
}

/** An in-memory claude. `onSignal` decides whether a signal ends it (default: SIGKILL only). */
function createFakeChild(onSignal: (signal: string, child: FakeChild) => void = (s, c) => s === "SIGKILL" && c.exit({ code: null, signal: s })): FakeChild {
  let out!: ReadableStreamDefaultController<Uint8Array>;
  let err!: ReadableStreamDefaultController<Uint8Array>;
  const stdout = new ReadableStream<Uint8Array>({ start: (c) => void (out = c) });
  const stderr = new ReadableStream<Uint8Array>({ start: (c) => void (err = c) });
  let resolveExit!: (status: ChildExit) => void;
  const exited = new Promise<ChildExit>((resolve) => (resolveExit = resolve));
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let gone = false;
  let inputEnded = false;
  const signals: string[] = [];
  const child: FakeChild = {
    pid: 999_999,
    stdout,
    stderr,
    exited,
    lines,
    signals,
    get inputEnded() {
      return inputEnded;
    },
    write(text) {
      if (gone || inputEnded) return false;
      expect(text.endsWith("\n")).toBe(true);
      expect(text.slice(0, -1)).not.toContain("\n");
      lines.push(JSON.parse(text) as Record<string, unknown>);
      for (const w of [...waiters]) w();
      return true;
    },
    endInput() {
      inputEnded = true;
    },
    signalGroup(signal) {
      signals.push(signal);
      if (!gone) onSignal(signal, child);
      return !gone;
    },
    print(line) {
      out.enqueue(new TextEncoder().encode(`${typeof line === "string" ? line : JSON.stringify(line)}\n`));
    },
    written(n) {
      return new Promise((resolve) => {
        const check = () => {
          const line = lines[n - 1];
          if (!line) return;
          waiters.delete(check);
          resolve(line);
        };
        waiters.add(check);
        check();
      });
    },
    exit(status) {
      if (gone) return;
      gone = true;
      err.enqueue(new TextEncoder().encode("fatal: the fake claude stopped\n"));
      out.close();
      err.close();
      resolveExit(status);
    },
  };
  return child;
}

function startWith(child: FakeChild, deps: { onPermissionRequest?: PermissionHandler; limits?: Record<string, number> } = {}) {
  const spawned: SpawnRequest[] = [];
  const spawner: Spawner = {
    spawn(request) {
      spawned.push(request);
      return child;
    },
  };
  let ids = 0;
  const runner = createClaudeRunner({ claudePath: "/bin/claude", spawner, newId: () => `id${++ids}`, ...deps });
  const session = runner.start({ cwd: "/work/project", env: { HOME: "/home/x" } });
  const events: RunnerEvent[] = [];
  session.onEvent((e) => events.push(e));
  return { session, events, spawned };
}

const canUseTool = (requestId: string) => ({
  type: "control_request",
  request_id: requestId,
  request: {
    subtype: "can_use_tool",
    tool_name: "Write",
    display_name: "Write",
    input: { file_path: "/work/project/a.txt", content: "hi" },
    description: "a.txt",
    permission_suggestions: [],
    tool_use_id: "toolu_9",
  },
});

describe("claude session over the spawn seam", () => {
  test("spawns the built argv in the session's cwd with the given env, and sends prompts as user lines", async () => {
    const child = createFakeChild();
    const { session, spawned } = startWith(child);
    session.send('multi\nline "quoted" prompt');
    expect(spawned).toEqual([{ argv: expect.arrayContaining(["/bin/claude", "--permission-mode", "default"]), cwd: "/work/project", env: { HOME: "/home/x" } }]);
    expect(await child.written(1)).toEqual({
      type: "user",
      message: { role: "user", content: 'multi\nline "quoted" prompt' },
      parent_tool_use_id: null,
      session_id: "",
    });
    child.exit({ code: 0, signal: null });
    await session.exited;
  });

  test("denies every permission question by default", async () => {
    const child = createFakeChild();
    startWith(child);
    child.print(canUseTool("perm-1"));
    expect(await child.written(1)).toEqual({
      type: "control_response",
      response: { subtype: "success", request_id: "perm-1", response: { behavior: "deny", message: DEFAULT_DENY_MESSAGE } },
    });
    child.exit({ code: 0, signal: null });
  });

  test("hands the question to onPermissionRequest and writes its allow with updatedInput", async () => {
    const child = createFakeChild();
    const asked: PermissionRequest[] = [];
    startWith(child, {
      onPermissionRequest: async (request) => {
        asked.push(request);
        return { behavior: "allow", updatedInput: { ...request.input, content: "edited" } };
      },
    });
    child.print({ type: "system", subtype: "init", session_id: "sess-1", model: "m", cwd: "/work/project" });
    child.print(canUseTool("perm-2"));
    expect(await child.written(1)).toEqual({
      type: "control_response",
      response: {
        subtype: "success",
        request_id: "perm-2",
        response: { behavior: "allow", updatedInput: { file_path: "/work/project/a.txt", content: "edited" } },
      },
    });
    expect(asked).toEqual([
      {
        requestId: "perm-2",
        toolName: "Write",
        input: { file_path: "/work/project/a.txt", content: "hi" },
        toolUseId: "toolu_9",
        description: "a.txt",
        sessionId: "sess-1",
      },
    ]);
    child.exit({ code: 0, signal: null });
  });

  test("a handler that throws, or answers nonsense, results in a deny", async () => {
    const child = createFakeChild();
    let calls = 0;
    startWith(child, {
      onPermissionRequest: async () => {
        calls++;
        if (calls === 1) throw new Error("relay unreachable");
        return { behavior: "maybe" } as never;
      },
    });
    child.print(canUseTool("perm-3"));
    child.print(canUseTool("perm-4"));
    const answers = [await child.written(1), await child.written(2)];
    expect(answers.map((a) => (a.response as { response: unknown }).response)).toEqual([
      { behavior: "deny", message: DEFAULT_DENY_MESSAGE },
      { behavior: "deny", message: DEFAULT_DENY_MESSAGE },
    ]);
    child.exit({ code: 0, signal: null });
  });

  test("control_cancel_request aborts the pending question and its late answer is never written", async () => {
    const child = createFakeChild();
    let decide!: () => void;
    let signal!: AbortSignal;
    const asked = new Promise<void>((resolveAsked) => {
      startWith(child, {
        onPermissionRequest: (_request, s) => {
          signal = s;
          resolveAsked();
          return new Promise((resolve) => (decide = () => resolve({ behavior: "allow", updatedInput: {} })));
        },
      });
    });
    child.print(canUseTool("perm-5"));
    await asked;
    const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    child.print({ type: "control_cancel_request", request_id: "perm-5" });
    await aborted;
    decide();
    // A marker line proves the session processed everything before it.
    child.print({ type: "control_request", request_id: "marker", request: { subtype: "elicitation" } });
    expect(await child.written(1)).toMatchObject({ response: { request_id: "marker" } });
    expect(child.lines).toHaveLength(1);
    child.exit({ code: 0, signal: null });
  });

  test("unknown control requests get an error response", async () => {
    const child = createFakeChild();
    startWith(child);
    child.print({ type: "control_request", request_id: "hook-1", request: { subtype: "hook_callback", callback_id: "x" } });
    expect(await child.written(1)).toEqual({
      type: "control_response",
      response: { subtype: "error", request_id: "hook-1", error: "Unsupported control request subtype: hook_callback" },
    });
    child.exit({ code: 0, signal: null });
  });

  test("interrupt() resolves on its acknowledgement and marks the turn's error_during_execution as stopped", async () => {
    const child = createFakeChild();
    const { session, events } = startWith(child);
    session.send("go");
    await child.written(1);
    let acknowledged = false;
    const interrupted = session.interrupt().then(() => (acknowledged = true));
    const request = await child.written(2);
    expect(request).toEqual({ type: "control_request", request_id: "ra-interrupt-id1", request: { subtype: "interrupt" } });
    child.print({ type: "control_response", response: { subtype: "success", request_id: "some-other-id" } });
    child.print({ type: "control_response", response: { subtype: "success", request_id: "ra-interrupt-id1" } });
    await interrupted;
    expect(acknowledged).toBe(true);
    child.print({ type: "result", subtype: "error_during_execution", is_error: true, duration_ms: 5, num_turns: 1, errors: ["x"] });
    session.send("again");
    child.print({ type: "result", subtype: "error_during_execution", is_error: true, duration_ms: 5, num_turns: 1, errors: ["boom"] });
    child.exit({ code: 1, signal: null });
    await session.exited;
    expect(events.filter((e) => e.kind === "result").map((e) => e.kind === "result" && e.status)).toEqual(["stopped", "failed"]);
  });

  test("interrupt() falls back to its timeout when claude never answers, and resolves at once when it exits", async () => {
    const child = createFakeChild();
    const { session } = startWith(child, { limits: { interruptAckMs: 30 } });
    await session.interrupt();
    const pending = session.interrupt();
    await child.written(2);
    child.exit({ code: 0, signal: null });
    await pending;
    await session.interrupt();
    expect(child.lines).toHaveLength(2);
  });

  test("close() ends stdin, then SIGTERMs and SIGKILLs the group; exit is the last event with the stderr tail", async () => {
    const child = createFakeChild();
    const { session, events } = startWith(child, { limits: { closeGraceMs: 20, killGraceMs: 20 } });
    child.print("not json at all");
    await session.close();
    expect(child.inputEnded).toBe(true);
    expect(child.signals).toEqual(["SIGTERM", "SIGKILL", "SIGKILL"]);
    expect(await session.exited).toBeNull();
    expect(events).toEqual([
      { kind: "garbage", line: "not json at all" },
      { kind: "exit", code: null, signal: "SIGKILL", stderrTail: "fatal: the fake claude stopped\n" },
    ]);
    session.send("ignored");
    expect(child.lines).toHaveLength(0);
  });

  test("close() interrupts a running turn first, and a child that exits on EOF is not signalled", async () => {
    const child = createFakeChild();
    const { session } = startWith(child);
    session.send("long job");
    const closed = session.close();
    expect(await child.written(2)).toMatchObject({ type: "control_request", request: { subtype: "interrupt" } });
    expect(child.inputEnded).toBe(true);
    child.exit({ code: 1, signal: null });
    await closed;
    // Only the sweep of leftovers in the group after the exit.
    expect(child.signals).toEqual(["SIGKILL"]);
  });

  test("a listener that throws does not stop the others; unsubscribing stops delivery", async () => {
    const child = createFakeChild();
    const { session, events } = startWith(child);
    let thrown = 0;
    session.onEvent(() => {
      thrown++;
      throw new Error("listener bug");
    });
    const seen: string[] = [];
    const firstOnly: string[] = [];
    const unsubscribe = session.onEvent((e) => {
      firstOnly.push(e.kind);
      unsubscribe();
    });
    session.onEvent((e) => seen.push(e.kind));
    child.print({ type: "system", subtype: "init", session_id: "s" });
    child.print({ type: "result", subtype: "success", is_error: false, duration_ms: 1 });
    child.exit({ code: 0, signal: null });
    await session.exited;
    expect(events.map((e) => e.kind)).toEqual(["init", "result", "exit"]);
    expect(firstOnly).toEqual(["init"]);
    expect(seen).toEqual(["init", "result", "exit"]);
    expect(thrown).toBe(3);
  });
});
