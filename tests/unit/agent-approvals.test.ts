import { describe, expect, test } from "bun:test";
import { DENY_MESSAGES, PendingApprovals } from "../../src/agent/approvals";
import { createLog } from "../../src/log";
import type { SessionEvent } from "../../src/proto";
import { VirtualClock } from "../helpers/virtual-clock";

function setup(timeoutMs = 60_000) {
  const events: { sessionId: string; event: SessionEvent }[] = [];
  const clock = new VirtualClock();
  const approvals = new PendingApprovals({ emit: (sessionId, event) => void events.push({ sessionId, event }), timeoutMs, log: createLog("test"), clock });
  const ask = (requestId: string, input: Record<string, unknown> = { command: "touch x" }, signal = new AbortController().signal, session = "s1") =>
    approvals.handlerFor(session, () => "t1")({ requestId, toolName: "Bash", input, description: "make x" }, signal);
  return { approvals, events, ask, clock };
}

describe("pending approvals on the agent", () => {
  test("forward the request once and allow with claude's own input", async () => {
    const { approvals, events, ask } = setup();
    const decision = ask("r1");
    expect(events).toEqual([{ sessionId: "s1", event: { kind: "approval.request", turnId: "t1", requestId: "r1", toolName: "Bash", input: { command: "touch x" }, description: "make x" } }]);
    expect(await approvals.answer("s1", "r1", { behavior: "allow" })).toBe(true);
    expect(await decision).toEqual({ behavior: "allow", updatedInput: { command: "touch x" } });
  });

  test("add only the owner's answers to an AskUserQuestion input", async () => {
    const { approvals, ask } = setup();
    const input = { questions: [{ question: "Which?", options: [{ label: "A" }, { label: "B" }] }] };
    const decision = ask("r1", input);
    await approvals.answer("s1", "r1", { behavior: "allow", answers: { "Which?": "B" } });
    expect(await decision).toEqual({ behavior: "allow", updatedInput: { ...input, answers: { "Which?": "B" } } });
  });

  test("answer each request at most once, and only from its own session", async () => {
    const { approvals, ask } = setup();
    const decision = ask("r1");
    expect(await approvals.answer("other", "r1", { behavior: "allow" })).toBe(false);
    expect(await approvals.answer("s1", "r1", { behavior: "deny", message: "no" })).toBe(true);
    expect(await approvals.answer("s1", "r1", { behavior: "allow" })).toBe(false);
    expect(await decision).toEqual({ behavior: "deny", message: "no" });
  });

  test("deny when nobody answers in time, and tell the relay", async () => {
    const { events, ask, clock } = setup(60_000);
    let decided = false;
    const decision = ask("r1").then((d) => ((decided = true), d));
    await clock.advance(59_999);
    expect(decided).toBe(false);
    await clock.advance(1);
    expect(await decision).toEqual({ behavior: "deny", message: DENY_MESSAGES.timeout });
    expect(clock.pending).toBe(0);
    expect(events.at(-1)?.event).toEqual({ kind: "approval.closed", turnId: "t1", requestId: "r1", outcome: "denied_timeout" });
  });

  test("deny when claude withdraws the question", async () => {
    const { events, ask } = setup();
    const controller = new AbortController();
    const decision = ask("r1", {}, controller.signal);
    controller.abort();
    expect(await decision).toEqual({ behavior: "deny", message: DENY_MESSAGES.cancelled });
    expect(events.at(-1)?.event).toMatchObject({ kind: "approval.closed", outcome: "cancelled" });
  });

  test("deny everything waiting when the link to the relay drops", async () => {
    const { approvals, events, ask } = setup();
    const a = ask("r1");
    const b = ask("r2", {}, new AbortController().signal, "s2");
    expect(approvals.denyAll("denied_disconnected", DENY_MESSAGES.disconnected)).toBe(2);
    expect(await a).toEqual({ behavior: "deny", message: DENY_MESSAGES.disconnected });
    expect(await b).toEqual({ behavior: "deny", message: DENY_MESSAGES.disconnected });
    expect(events.filter((e) => e.event.kind === "approval.closed").map((e) => e.sessionId)).toEqual(["s1", "s2"]);
    expect(await approvals.answer("s1", "r1", { behavior: "allow" })).toBe(false);
  });

  test("cut huge strings in what the phone sees, never in what claude runs", async () => {
    const { approvals, events, ask } = setup();
    const content = "x".repeat(2 * 1024 * 1024);
    const decision = ask("r1", { file_path: "big.txt", content });
    const shown = events[0]!.event;
    expect(shown.kind === "approval.request" && JSON.stringify(shown.input).length).toBeLessThan(200 * 1024);
    await approvals.answer("s1", "r1", { behavior: "allow" });
    expect(await decision).toEqual({ behavior: "allow", updatedInput: { file_path: "big.txt", content } });
  });
});
