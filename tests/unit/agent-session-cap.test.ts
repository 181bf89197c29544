// The agent's cap on live claude processes and the idle timeout, on a virtual clock: an idle claude
// ends after the timeout and the next prompt resumes it; at the cap the least recently used idle one
// makes room; when every one is in a turn the new prompt is refused, saying what to do, and nothing
// else changes.
import { describe, expect, test } from "bun:test";
import { realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { PendingApprovals } from "../../src/agent/approvals";
import { AgentSessions } from "../../src/agent/sessions";
import type { SavedSession } from "../../src/agent/store";
import { createLog } from "../../src/log";
import type { SessionEvent } from "../../src/proto";
import type { Runner, RunnerEvent, RunnerSessionOptions } from "../../src/runner/types";
import { VirtualClock } from "../helpers/virtual-clock";

type Proc = { options: RunnerSessionOptions; sent: string[]; closed: boolean; emit(e: RunnerEvent): void };

function setup(limits: { maxProcesses?: number; idleTimeoutMs?: number } = {}) {
  const procs: Proc[] = [];
  const runner: Runner = {
    start(options) {
      const listeners = new Set<(e: RunnerEvent) => void>();
      const proc: Proc = { options, sent: [], closed: false, emit: (e) => listeners.forEach((l) => l(e)) };
      procs.push(proc);
      return {
        pid: procs.length,
        exited: new Promise(() => {}),
        send: (text) => void proc.sent.push(text),
        interrupt: async () => {},
        setMode: async () => true,
        // Like claude interrupted by the close: it may still report the turn's end.
        close: async () => {
          proc.closed = true;
          proc.emit({ kind: "result", status: "stopped", durationMs: 1, turns: 1 });
        },
        onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
      };
    },
  };
  const clock = new VirtualClock();
  clock.t = 1_000_000;
  const events: { sessionId: string; event: SessionEvent }[] = [];
  const emit = (sessionId: string, event: SessionEvent) => void events.push({ sessionId, event });
  const log = createLog("test");
  const approvals = new PendingApprovals({ emit, timeoutMs: 60_000, log, clock });
  let saved: SavedSession[] = [];
  const sessions = new AgentSessions({ runner, approvals, limits: { roots: [realpathSync(tmpdir())], maxMode: "acceptEdits" }, env: {}, clock, log, emit, save: (s) => void (saved = s), ...limits });
  let turns = 0;
  const prompt = (sessionId: string, text = "hi", resume?: string) => {
    const turnId = `t${++turns}`;
    sessions.prompt({ v: 1, type: "prompt", sessionId, turnId, text, ...(resume ? { resume } : {}) });
    return turnId;
  };
  /** `costUsd` is claude's own, cumulative per process. */
  const finish = (proc: Proc, claudeSessionId: string, costUsd = 0) => {
    proc.emit({ kind: "init", sessionId: claudeSessionId });
    proc.emit({ kind: "result", status: "done", durationMs: 1, costUsd, turns: 1, sessionId: claudeSessionId });
  };
  const ended = (turnId: string) => events.map((e) => e.event).find((e): e is Extract<SessionEvent, { kind: "turn.ended" }> => e.kind === "turn.ended" && e.turnId === turnId);
  return { sessions, procs, clock, prompt, finish, ended, events, saved: () => saved.map((s) => s.sessionId) };
}

describe("the cap on claude processes and the idle timeout", () => {
  test("an idle claude is ended after the idle timeout; the next prompt resumes the conversation", async () => {
    const { sessions, procs, clock, prompt, finish } = setup({ idleTimeoutMs: 60_000 });
    prompt("s1", "first");
    finish(procs[0]!, "claude-1");
    await clock.advance(59_999);
    expect(procs[0]!.closed).toBe(false);
    await clock.advance(1);
    expect(procs[0]!.closed).toBe(true);
    expect(sessions.processes).toBe(0);
    // The relay sends the claude session it learned with every prompt.
    prompt("s1", "second", "claude-1");
    expect(procs).toHaveLength(2);
    expect(procs[1]!.options.resume).toBe("claude-1");
    expect(procs[1]!.sent).toEqual(["second"]);
  });

  test("no idle timer outlives a shutdown (it would keep the agent's process alive), even when claude reports the interrupted turn", async () => {
    const { sessions, procs, clock, prompt } = setup();
    prompt("s1");
    await sessions.shutdown();
    expect(procs[0]!.closed).toBe(true);
    expect(clock.pending).toBe(0);
  });

  test("a claude in a turn is never ended for idleness, however long the turn", async () => {
    const { procs, clock, prompt, finish } = setup({ idleTimeoutMs: 60_000 });
    prompt("s1");
    finish(procs[0]!, "claude-1");
    prompt("s1", "long one");
    await clock.advance(10 * 60_000);
    expect(procs[0]!.closed).toBe(false);
    finish(procs[0]!, "claude-1");
    await clock.advance(60_000);
    expect(procs[0]!.closed).toBe(true);
  });

  test("at the cap, the least recently used idle claude makes room for a new one", async () => {
    const { sessions, procs, clock, prompt, finish } = setup({ maxProcesses: 2 });
    prompt("s1");
    finish(procs[0]!, "claude-1");
    await clock.advance(1000);
    prompt("s2");
    finish(procs[1]!, "claude-2");
    await clock.advance(1000);
    // s1 is used again, so s2 is now the least recently used one.
    prompt("s1");
    finish(procs[0]!, "claude-1");
    prompt("s3");
    expect(procs[1]!.closed).toBe(true);
    expect(procs[0]!.closed).toBe(false);
    expect(sessions.processes).toBe(2);
    // s2 comes back with its conversation (and s1, now the least recently used, makes room).
    finish(procs[2]!, "claude-3");
    prompt("s2", "again", "claude-2");
    expect(procs[0]!.closed).toBe(true);
    expect(procs.at(-1)!.options.resume).toBe("claude-2");
  });

  test("at the cap with every claude in a turn, the prompt is refused with what to do; nothing else changes", () => {
    const { sessions, procs, prompt, ended, finish } = setup({ maxProcesses: 2 });
    const t1 = prompt("s1");
    const t2 = prompt("s2");
    const t3 = prompt("s3");
    expect(procs).toHaveLength(2);
    expect(ended(t3)).toMatchObject({ status: "failed" });
    expect(ended(t3)!.error).toContain("/stop one of them");
    expect(ended(t3)!.error).toContain("--max-sessions");
    expect(ended(t1)).toBeUndefined();
    expect(ended(t2)).toBeUndefined();
    expect(procs.every((p) => !p.closed)).toBe(true);
    // s3 got no claude: nothing of it is held.
    expect(sessions.list().map((s) => [s.sessionId, s.busy])).toEqual([["s1", true], ["s2", true]]);
    // Once one turn ends, s3's next prompt gets a claude.
    finish(procs[0]!, "claude-1");
    prompt("s3", "now");
    expect(procs[0]!.closed).toBe(true);
    expect(procs.at(-1)!.sent).toEqual(["now"]);
  });
});

describe("bounded records: the agent holds a conversation only while it has a claude, a turn or queued prompts", () => {
  test("an idle claude ended by the timeout takes its record with it; the relay's resume id brings the conversation back", async () => {
    const { sessions, procs, clock, prompt, finish, saved } = setup({ idleTimeoutMs: 60_000 });
    prompt("s1", "first");
    expect(saved()).toEqual(["s1"]);
    finish(procs[0]!, "claude-1");
    await clock.advance(60_000);
    expect(sessions.list()).toEqual([]);
    expect(saved()).toEqual([]);
    prompt("s1", "second", "claude-1");
    expect(procs[1]!.options.resume).toBe("claude-1");
    expect(sessions.list()).toEqual([{ sessionId: "s1", busy: true }]);
  });

  test("each turn's cost is its own, also after a revival (claude's total starts again at 0 in a resumed process)", async () => {
    const { procs, clock, prompt, finish, ended } = setup({ idleTimeoutMs: 60_000 });
    const t1 = prompt("s1");
    finish(procs[0]!, "claude-1", 0.5);
    const t2 = prompt("s1");
    finish(procs[0]!, "claude-1", 0.8);
    await clock.advance(60_000);
    const t3 = prompt("s1", "again", "claude-1");
    finish(procs[1]!, "claude-1", 0.2);
    expect([t1, t2, t3].map((t) => ended(t)!.costUsd)).toEqual([0.5, expect.closeTo(0.3, 10), 0.2]);
  });

  test("a claude started again with a prompt waiting (mode changed mid-turn) also counts the next turn's cost from 0", async () => {
    const { sessions, procs, prompt, finish, ended } = setup();
    prompt("s1");
    await sessions.setMode("s1", "plan");
    const t2 = prompt("s1", "queued");
    finish(procs[0]!, "claude-1", 0.5);
    expect(procs[0]!.closed).toBe(true);
    expect(procs[1]!.sent).toEqual(["queued"]);
    finish(procs[1]!, "claude-1", 0.2);
    expect(ended(t2)!.costUsd).toBe(0.2);
  });

  test("a claude evicted for room, ended by a mode change or dead while idle leaves nothing behind", async () => {
    const { sessions, procs, prompt, finish, saved, events } = setup({ maxProcesses: 1 });
    prompt("s1");
    finish(procs[0]!, "claude-1");
    prompt("s2");
    expect(procs[0]!.closed).toBe(true);
    expect(saved()).toEqual(["s2"]);
    finish(procs[1]!, "claude-2");
    await sessions.setMode("s2", "plan");
    expect(procs[1]!.closed).toBe(true);
    expect(sessions.list()).toEqual([]);
    // /mode for a conversation the agent does not hold: said, and still nothing held.
    await sessions.setMode("s9", "plan");
    expect(events.at(-1)).toEqual({ sessionId: "s9", event: { kind: "notice", level: "info", text: "Permission mode is now plan." } });
    expect(sessions.list()).toEqual([]);
    prompt("s3");
    finish(procs[2]!, "claude-3");
    procs[2]!.emit({ kind: "exit", code: 1, signal: null, stderrTail: "" });
    expect(sessions.list()).toEqual([]);
    expect(saved()).toEqual([]);
  });

  test("after a restart only the cut-short turns are held, for the first hello, until the relay welcomes the agent", () => {
    const { sessions, events } = setup();
    sessions.restore([{ sessionId: "s1", mode: "default", claudeSessionId: "c1" }, { sessionId: "s2", mode: "plan", turnId: "t9" }]);
    expect(events.map((e) => [e.sessionId, e.event.kind])).toEqual([["s2", "turn.ended"]]);
    expect(sessions.list()).toEqual([{ sessionId: "s2", busy: false }]);
    sessions.welcomed();
    expect(sessions.list()).toEqual([]);
  });
});
