// /close in the core and the store: the current conversation or one by number, never one running a
// turn, waiting prompts end as stopped, the machine is told (at once, or in answer to its next hello
// when it was offline), prompts go to the newest open one, and closed ones leave /sessions.
import { describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION, type RelayFrame, type SessionEvent } from "../../src/proto";
import { coreWithMachines } from "../helpers/core-machines";

const CHAT = 1001;
const facts = { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "test" };

/** A second machine of the owner's, stored but never connected. */
function coreDevice(repo: ReturnType<typeof coreWithMachines>["repo"]) {
  const desk = { id: "desk", name: "desk", ownerId: CHAT, tokenHash: "h-desk", hostname: "box", os: "linux", arch: "x64", osUser: "me", agentVersion: "t", createdAt: 0, lastSeenAt: null };
  repo.addDevice(desk);
  return desk;
}

function setup() {
  const { repo, clock, core, device, connect } = coreWithMachines(CHAT);
  const laptop = device("laptop");
  const frames = connect(laptop);
  let seq = 0;
  const emit = (sessionId: string, event: SessionEvent) => core.machines.event(laptop.id, { v: PROTOCOL_VERSION, type: "event", sessionId, seq: seq++, at: clock.now(), event });
  const closes = () => frames.filter((f): f is Extract<RelayFrame, { type: "session.close" }> => f.type === "session.close").map((f) => f.sessionId);
  return { repo, clock, core, laptop, frames, emit, closes };
}

describe("/close", () => {
  test("closes the current conversation, tells the machine, and prompts go to the newest open one", () => {
    const { core, repo, laptop, clock, emit, closes } = setup();
    const t1 = core.turns.submit(CHAT, laptop, "one");
    emit(t1.sessionId, { kind: "turn.ended", turnId: t1.id, status: "done", durationMs: 1 });
    clock.t += 1000;
    const second = core.turns.newSession(CHAT, laptop.id);
    clock.t += 1000;
    const third = core.turns.newSession(CHAT, laptop.id);
    core.turns.select(CHAT, laptop.id, t1.sessionId);
    const result = core.turns.close(CHAT, laptop.id);
    expect(result).toMatchObject({ kind: "closed", session: { id: t1.sessionId }, cancelled: 0, next: { id: third.id } });
    expect(closes()).toEqual([t1.sessionId]);
    expect(repo.session(t1.sessionId)!.closedAt).toBe(clock.now());
    expect(repo.sessionsOf(CHAT, laptop.id).map((s) => s.number)).toEqual([3, 2]);
    expect(core.turns.submit(CHAT, laptop, "goes on").sessionId).toBe(third.id);
    expect(core.turns.select(CHAT, laptop.id, t1.sessionId)).toBeUndefined();
    expect(second.number).toBe(2);
  });

  test("by number; an unknown or already closed number closes nothing", () => {
    const { core, repo, laptop, closes } = setup();
    const first = core.turns.session(CHAT, laptop.id);
    const second = core.turns.newSession(CHAT, laptop.id);
    expect(core.turns.close(CHAT, laptop.id, 1)).toMatchObject({ kind: "closed", session: { id: first.id }, next: { id: second.id } });
    expect(core.turns.close(CHAT, laptop.id, 1)).toEqual({ kind: "missing" });
    expect(core.turns.close(CHAT, laptop.id, 9)).toEqual({ kind: "missing" });
    expect(closes()).toEqual([first.id]);
    expect(repo.openSession(CHAT, laptop.id)!.id).toBe(second.id);
    // The last one closed: nothing is open, and the next prompt opens a fresh one.
    expect(core.turns.close(CHAT, laptop.id)).toMatchObject({ kind: "closed", session: { id: second.id } });
    expect(core.turns.close(CHAT, laptop.id)).toEqual({ kind: "missing" });
    expect(core.turns.submit(CHAT, laptop, "fresh").sessionId).not.toBe(second.id);
  });

  test("a conversation running a turn is refused and nothing changes; once it ended, /close goes through", () => {
    const { core, repo, laptop, emit, closes } = setup();
    const running = core.turns.submit(CHAT, laptop, "busy");
    const waiting = core.turns.submit(CHAT, laptop, "later");
    expect(core.turns.close(CHAT, laptop.id)).toMatchObject({ kind: "running", session: { id: running.sessionId } });
    expect(repo.session(running.sessionId)!.closedAt).toBeNull();
    expect(repo.turn(waiting.id)!.status).toBe("queued");
    expect(closes()).toEqual([]);
    core.turns.stop(CHAT, laptop.id);
    emit(running.sessionId, { kind: "turn.ended", turnId: running.id, status: "stopped", durationMs: 1 });
    expect(core.turns.close(CHAT, laptop.id)).toMatchObject({ kind: "closed", session: { id: running.sessionId } });
    expect(closes()).toEqual([running.sessionId]);
  });

  test("waiting prompts of a closed conversation end as stopped (its machine offline, so nothing ran)", () => {
    const { core, repo, closes } = setup();
    const desk = coreDevice(repo);
    const t1 = core.turns.submit(CHAT, desk, "queued while offline");
    const t2 = core.turns.submit(CHAT, desk, "also queued");
    expect(repo.turn(t1.id)!.status).toBe("queued");
    expect(core.turns.close(CHAT, desk.id)).toMatchObject({ kind: "closed", cancelled: 2 });
    expect([t1, t2].map((t) => repo.turn(t.id)!.status)).toEqual(["stopped", "stopped"]);
    expect(closes()).toEqual([]);
  });

  test("a machine that was offline at close time hears of it when its hello lists the conversation", async () => {
    const { core, repo, laptop, frames } = setup();
    const session = core.turns.session(CHAT, laptop.id);
    const kept = core.turns.newSession(CHAT, laptop.id);
    core.hub.disconnect(laptop.id, 1001, "gone");
    core.machines.disconnected(laptop);
    core.turns.close(CHAT, laptop.id, 1);
    const later: RelayFrame[] = [];
    core.hub.attach(laptop.id, { id: crypto.randomUUID(), ip: "127.0.0.1", send: (f) => void later.push(f as RelayFrame), close() {} });
    core.machines.connected(laptop, { v: PROTOCOL_VERSION, type: "hello", facts, sessions: [{ sessionId: session.id, busy: false }, { sessionId: kept.id, busy: false }, { sessionId: "unknown", busy: false }] });
    await Promise.resolve();
    expect(later.filter((f) => f.type === "session.close").map((f) => f.sessionId)).toEqual([session.id]);
    expect(repo.session(kept.id)!.closedAt).toBeNull();
    expect(frames.filter((f) => f.type === "session.close")).toEqual([]);
  });
});
