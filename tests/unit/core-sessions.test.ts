// Several conversations per chat and machine in the core and the store: /new keeps the previous
// one, one is selected per chat and machine (another chat's or machine's choice never leaks in),
// prompts go to the selected one, and /sessions' summary says what each is doing.
import { describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION, type SessionEvent } from "../../src/proto";
import { coreWithMachines } from "../helpers/core-machines";

const CHAT = 1001;
const OTHER_CHAT = 1002;
async function setup() {
  const { repo, clock, core, device, connect } = coreWithMachines(CHAT);
  const laptop = device("laptop");
  const desk = device("desk");
  const frames: unknown[] = await connect(laptop);
  await repo.addDevice(desk);
  let seq = 0;
  const emit = async (sessionId: string, event: SessionEvent) => await core.machines.event(laptop.id, { v: PROTOCOL_VERSION, type: "event", sessionId, seq: seq++, at: clock.now(), event });
  return { repo, clock, core, laptop, desk, frames, emit };
}

describe("several conversations per chat and machine", () => {
  test("/new opens and selects a fresh one numbered after the last; the previous one stays open with its running turn", async () => {
    const { core, repo, laptop, clock } = await setup();
    const first = await core.turns.submit(CHAT, laptop, "alpha");
    expect(first.status).toBe("queued");
    expect((await repo.turn(first.id))!.status).toBe("running");
    clock.t += 1000;
    const second = await core.turns.newSession(CHAT, laptop.id);
    expect(second.number).toBe(2);
    expect((await repo.openSession(CHAT, laptop.id))!.id).toBe(second.id);
    expect((await repo.session(first.sessionId))!.closedAt).toBeNull();
    // The second conversation's turn runs at once: it does not wait for the first one's.
    const next = await core.turns.submit(CHAT, laptop, "beta");
    expect(next.sessionId).toBe(second.id);
    expect((await repo.turn(next.id))!.status).toBe("running");
    expect((await repo.turn(first.id))!.status).toBe("running");
  });

  test("the Stop button of a turn in a conversation that is not selected stops that one; /stop stops the selected one", async () => {
    const { core, laptop, frames } = await setup();
    const first = await core.turns.submit(CHAT, laptop, "alpha");
    await core.turns.newSession(CHAT, laptop.id);
    const second = await core.turns.submit(CHAT, laptop, "beta");
    expect(await core.turns.stopTurn(first.id, CHAT)).toBe(true);
    expect(frames.filter((f) => (f as { type: string }).type === "stop")).toEqual([{ type: "stop", sessionId: first.sessionId }]);
    expect((await core.turns.stop(CHAT, laptop.id)).interrupted).toBe(true);
    expect(frames.filter((f) => (f as { type: string }).type === "stop").at(-1)).toEqual({ type: "stop", sessionId: second.sessionId });
    expect(await core.turns.stopTurn(first.id, OTHER_CHAT)).toBe(false);
  });

  test("the selection is per chat and per machine", async () => {
    const { core, repo, laptop, desk } = await setup();
    const a1 = await core.turns.session(CHAT, laptop.id);
    const a2 = await core.turns.newSession(CHAT, laptop.id);
    const b1 = await core.turns.session(OTHER_CHAT, laptop.id);
    const d1 = await core.turns.session(CHAT, desk.id);
    const d2 = await core.turns.newSession(CHAT, desk.id);
    expect(b1.number).toBe(1);
    expect(d2.number).toBe(2);
    expect((await core.turns.select(CHAT, laptop.id, a1.id))?.id).toBe(a1.id);
    expect((await repo.openSession(CHAT, laptop.id))!.id).toBe(a1.id);
    expect((await repo.openSession(OTHER_CHAT, laptop.id))!.id).toBe(b1.id);
    expect((await repo.openSession(CHAT, desk.id))!.id).toBe(d2.id);
    // Another chat's, another machine's, or an unknown conversation is not selectable.
    expect(await core.turns.select(CHAT, laptop.id, b1.id)).toBeUndefined();
    expect(await core.turns.select(CHAT, laptop.id, d1.id)).toBeUndefined();
    expect(await core.turns.select(CHAT, laptop.id, "nope")).toBeUndefined();
    expect((await repo.openSession(CHAT, laptop.id))!.id).toBe(a1.id);
    expect(a2.number).toBe(2);
  });

  test("the summary: first prompt, last activity, cost so far, and state (an approval wins over running)", async () => {
    const { core, repo, laptop, clock, emit } = await setup();
    const t1 = await core.turns.submit(CHAT, laptop, "first prompt of one");
    await emit(t1.sessionId, { kind: "turn.started", turnId: t1.id });
    clock.t += 5000;
    await emit(t1.sessionId, { kind: "turn.ended", turnId: t1.id, status: "done", durationMs: 5, costUsd: 0.25 });
    const t2 = await core.turns.submit(CHAT, laptop, "second prompt of one");
    await emit(t2.sessionId, { kind: "turn.started", turnId: t2.id });
    clock.t += 5000;
    await emit(t2.sessionId, { kind: "turn.ended", turnId: t2.id, status: "done", durationMs: 5, costUsd: 0.5 });
    clock.t += 5000;
    await core.turns.newSession(CHAT, laptop.id);
    const t3 = await core.turns.submit(CHAT, laptop, "only prompt of two");
    await emit(t3.sessionId, { kind: "turn.started", turnId: t3.id });
    let [newest, oldest] = await repo.sessionsOf(CHAT, laptop.id);
    expect(newest).toMatchObject({ number: 2, firstPrompt: "only prompt of two", state: "running", costUsd: 0, lastActiveAt: clock.now() });
    expect(oldest).toMatchObject({ number: 1, firstPrompt: "first prompt of one", state: "idle", costUsd: 0.75, lastActiveAt: clock.now() - 5000 });
    await emit(t3.sessionId, { kind: "approval.request", turnId: t3.id, requestId: "r1", toolName: "Bash", input: { command: "ls" } });
    [newest] = await repo.sessionsOf(CHAT, laptop.id);
    expect(newest!.state).toBe("approval");
    expect(await repo.sessionsOf(OTHER_CHAT, laptop.id)).toEqual([]);
    expect((await repo.lastTurns(t1.sessionId, 1)).map((t) => t.prompt)).toEqual(["second prompt of one"]);
    expect((await repo.lastTurns(t1.sessionId, 5)).map((t) => t.prompt)).toEqual(["first prompt of one", "second prompt of one"]);
  });
});
