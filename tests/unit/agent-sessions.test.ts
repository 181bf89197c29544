import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, realpathSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PendingApprovals } from "../../src/agent/approvals";
import { AgentSessions } from "../../src/agent/sessions";
import { systemClock } from "../../src/clock";
import { createLog } from "../../src/log";
import { MAX_TEXT_EVENT_CHARS, SessionEvent as SessionEventSchema, type SessionEvent } from "../../src/proto";
import { tmpDir } from "../helpers/tmp";
import type { Runner, RunnerEvent, RunnerSession, RunnerSessionOptions } from "../../src/runner/types";

/** A runner whose processes the test drives by hand. */
function scriptedRunner() {
  const started: { options: RunnerSessionOptions; sent: string[]; modes: string[]; emit(e: RunnerEvent): void; interrupted: number }[] = [];
  const runner: Runner = {
    start(options) {
      const listeners = new Set<(e: RunnerEvent) => void>();
      const proc = { options, sent: [] as string[], modes: [] as string[], interrupted: 0, emit: (e: RunnerEvent) => listeners.forEach((l) => l(e)) };
      started.push(proc);
      const session: RunnerSession = {
        pid: 1,
        exited: new Promise(() => {}),
        send: (text) => proc.sent.push(text),
        interrupt: async () => void proc.interrupted++,
        setMode: async (mode) => {
          proc.modes.push(mode);
          return true;
        },
        close: async () => {},
        onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
      };
      return session;
    },
  };
  return { runner, started };
}

function setup(extra: Partial<ConstructorParameters<typeof AgentSessions>[0]> = {}) {
  const { runner, started } = scriptedRunner();
  const events: { sessionId: string; event: SessionEvent }[] = [];
  const emit = (sessionId: string, event: SessionEvent) => void events.push({ sessionId, event });
  const approvals = new PendingApprovals({ emit, timeoutMs: 60_000, log: createLog("test"), clock: systemClock });
  const sessions = new AgentSessions({ runner, approvals, limits: { roots: [realpathSync(tmpdir())], maxMode: "acceptEdits" }, env: {}, clock: systemClock, log: createLog("test"), emit, ...extra });
  const prompt = (turnId: string, text = "hi", resume?: string, extra: { cwd?: string; mode?: "plan" | "default" | "acceptEdits" | "bypassPermissions" } = {}) =>
    sessions.prompt({ v: 1, type: "prompt", sessionId: "s1", turnId, text, ...(resume ? { resume } : {}), ...extra });
  return { sessions, started, events, prompt, kinds: () => events.map((e) => e.event.kind) };
}

const result = (costUsd: number): RunnerEvent => ({ kind: "result", status: "done", durationMs: 10, costUsd, turns: 1, sessionId: "c1" });

describe("agent sessions", () => {
  test("a prompt starts claude once, streams its events and ends the turn with its own cost", () => {
    const { started, events, prompt, kinds } = setup();
    prompt("t1", "first");
    expect(started).toHaveLength(1);
    expect(started[0]!.sent).toEqual(["first"]);
    started[0]!.emit({ kind: "init", sessionId: "c1" });
    started[0]!.emit({ kind: "text", text: "hel" });
    started[0]!.emit({ kind: "tool", toolUseId: "u1", name: "Bash", input: { command: "ls -la" } });
    started[0]!.emit(result(0.5));
    prompt("t2", "second");
    expect(started).toHaveLength(1);
    started[0]!.emit(result(0.75));
    expect(kinds()).toEqual(["turn.started", "init", "text", "tool", "turn.ended", "turn.started", "turn.ended"]);
    const ends = events.map((e) => e.event).filter((e) => e.kind === "turn.ended");
    expect(ends.map((e) => e.costUsd)).toEqual([0.5, 0.25]);
    expect(events[3]!.event).toMatchObject({ kind: "tool", summary: "ls -la" });
  });

  test("prompts that arrive during a turn wait for it, in order", () => {
    const { started, prompt } = setup();
    prompt("t1", "one");
    prompt("t2", "two");
    prompt("t3", "three");
    expect(started[0]!.sent).toEqual(["one"]);
    started[0]!.emit(result(0));
    expect(started[0]!.sent).toEqual(["one", "two"]);
    started[0]!.emit(result(0));
    expect(started[0]!.sent).toEqual(["one", "two", "three"]);
  });

  test("claude dying mid-turn fails the turn with its stderr, and the next prompt resumes the conversation", () => {
    const { started, events, prompt } = setup();
    prompt("t1");
    started[0]!.emit({ kind: "init", sessionId: "c1" });
    started[0]!.emit({ kind: "exit", code: 1, signal: null, stderrTail: "boom: out of memory" });
    const ended = events.at(-1)!.event;
    expect(ended).toMatchObject({ kind: "turn.ended", turnId: "t1", status: "failed", claudeSessionId: "c1" });
    expect(ended.kind === "turn.ended" && ended.error).toContain("boom: out of memory");
    // The relay learned c1 from the events and sends it with the next prompt.
    prompt("t2", "hi", "c1");
    expect(started).toHaveLength(2);
    expect(started[1]!.options.resume).toBe("c1");
  });

  test("stop interrupts the running turn and drops waiting prompts", async () => {
    const { sessions, started, prompt } = setup();
    prompt("t1");
    prompt("t2");
    await sessions.stop("s1");
    expect(started[0]!.interrupted).toBe(1);
    started[0]!.emit({ kind: "result", status: "stopped", durationMs: 5 });
    expect(started[0]!.sent).toHaveLength(1);
  });

  test("a relay-provided resume id is used when the agent has no process for the session", () => {
    const { started, prompt } = setup();
    prompt("t1", "again", "11111111-2222-3333-4444-555555555555");
    expect(started[0]!.options.resume).toBe("11111111-2222-3333-4444-555555555555");
  });
});

describe("the machine's own limits", () => {
  test("a folder outside the roots is refused, also through a symlink", () => {
    const { started, events, prompt } = setup();
    const inside = join(realpathSync(tmpdir()), `ra-link-${process.pid}-${Math.random().toString(36).slice(2)}`);
    symlinkSync("/etc", inside);
    prompt("t1", "hi", undefined, { cwd: inside });
    expect(started).toHaveLength(0);
    const ended = events.at(-1)!.event;
    expect(ended).toMatchObject({ kind: "turn.ended", status: "failed" });
    expect(ended.kind === "turn.ended" && ended.error).toContain("outside the folders this machine allows");
  });

  test("a folder inside the roots is used", () => {
    const { started, prompt } = setup();
    const dir = join(realpathSync(tmpdir()), `ra-inside-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    prompt("t1", "hi", undefined, { cwd: dir });
    expect(started[0]!.options.cwd).toBe(dir);
  });

  test("a mode above the machine's cap is refused, from a prompt and from /mode", async () => {
    const { sessions, started, events, prompt } = setup();
    prompt("t1", "hi", undefined, { mode: "bypassPermissions" });
    expect(started).toHaveLength(0);
    expect(events.at(-1)!.event).toMatchObject({ kind: "turn.ended", status: "failed" });
    await sessions.setMode("s1", "bypassPermissions");
    expect(events.at(-1)!.event).toMatchObject({ kind: "notice", level: "warn" });
    await sessions.setMode("s1", "plan");
    expect(events.at(-1)!.event).toMatchObject({ kind: "notice", level: "info", text: "Permission mode is now plan." });
    // The relay stores the mode and sends it with every prompt.
    prompt("t2", "hi", undefined, { mode: "plan" });
    expect(started[0]!.options.mode).toBe("plan");
  });

  test("a mode change starts claude again with that mode, resuming the conversation (a running turn finishes first)", async () => {
    const { sessions, started, prompt } = setup();
    prompt("t1");
    started[0]!.emit({ kind: "init", sessionId: "c1" });
    started[0]!.emit(result(0.1));
    await sessions.setMode("s1", "plan");
    prompt("t2", "hi", "c1", { mode: "plan" });
    expect(started).toHaveLength(2);
    expect(started[1]!.options).toMatchObject({ mode: "plan", resume: "c1" });
    expect(started[0]!.modes).toEqual([]);
    // During a turn: switched at once, and claude is started again once the turn ends.
    await sessions.setMode("s1", "default");
    expect(started[1]!.modes).toEqual(["default"]);
    started[1]!.emit(result(0.2));
    prompt("t3", "hi", "c1", { mode: "default" });
    expect(started).toHaveLength(3);
    expect(started[2]!.options).toMatchObject({ mode: "default", resume: "c1" });
  });

  test("a tool call outside the roots is denied on the machine and the owner gets a notice, not a card", async () => {
    const { started, events, prompt } = setup();
    prompt("t1");
    const decision = await started[0]!.options.onPermissionRequest!({ requestId: "r1", toolName: "Read", input: { file_path: "/etc/shadow" } }, new AbortController().signal);
    expect(decision).toMatchObject({ behavior: "deny" });
    expect(events.map((e) => e.event.kind)).not.toContain("approval.request");
    expect(events.at(-1)!.event).toEqual({ kind: "notice", level: "warn", turnId: "t1", text: "Denied on the machine: Read /etc/shadow: outside roots." });
  });
});

describe("answer size caps on the agent", () => {
  const texts = (events: { event: SessionEvent }[]) => events.flatMap((e) => (e.event.kind === "text" ? [e.event.text] : []));

  test("a huge text event is cut into pieces the relay accepts, never inside a surrogate pair", () => {
    const { started, events, prompt } = setup();
    prompt("t1");
    const big = `${"a".repeat(MAX_TEXT_EVENT_CHARS - 1)}😀${"b".repeat(150_000)}`;
    started[0]!.emit({ kind: "text", text: big });
    const pieces = texts(events);
    expect(pieces.length).toBe(4);
    expect(pieces.join("")).toBe(big);
    for (const e of events) expect(SessionEventSchema.safeParse(e.event).success).toBe(true);
    expect(pieces[0]!.length).toBe(MAX_TEXT_EVENT_CHARS - 1);
    expect(pieces[1]!.startsWith("😀")).toBe(true);
  });

  test("past the per-turn cap the rest is saved on the machine and the owner is told how much and where", async () => {
    await using dir = tmpDir();
    const answers = join(dir.path, "answers");
    const { started, events, prompt } = setup({ answersDir: answers, machineName: "laptop", textLimits: { maxEventChars: 100, maxTurnChars: 1000 } });
    prompt("t1");
    const chunks = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, "0")}${"x".repeat(98)}`);
    for (const text of chunks) started[0]!.emit({ kind: "text", text });
    started[0]!.emit(result(0));
    const streamed = texts(events).join("");
    expect(streamed).toBe(chunks.join("").slice(0, 1000));
    expect(texts(events).every((t) => t.length <= 100)).toBe(true);
    const file = join(answers, "answer-t1.md");
    expect(readFileSync(file, "utf8")).toBe(chunks.join(""));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const notices = events.flatMap((e) => (e.event.kind === "notice" ? [e.event] : []));
    expect(notices).toEqual([
      { kind: "notice", level: "info", turnId: "t1", text: `The answer is longer than 1000 characters; the rest is not shown here. The whole answer is saved on laptop in ${file}` },
      { kind: "notice", level: "warn", turnId: "t1", text: `2 KiB of this answer was not sent to Telegram (only its first 1000 characters). The whole answer (3 KiB) is on laptop in ${file}` },
    ]);
    expect(events.at(-1)!.event.kind).toBe("turn.ended");
    // The next turn starts with a fresh budget.
    prompt("t2");
    started[0]!.emit({ kind: "text", text: "short" });
    expect(texts(events).at(-1)).toBe("short");
  });

  test("error texts leave the machine masked", () => {
    const { started, events, prompt } = setup();
    prompt("t1");
    started[0]!.emit({ kind: "result", status: "failed", durationMs: 1, error: "API error: key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123 rejected" });
    expect(events.at(-1)!.event).toMatchObject({ kind: "turn.ended", error: "API error: key sk-a…[masked] rejected" });
  });
});
