// /close in the core and the store: the current conversation or one by number, never one running a
// turn, waiting prompts end as stopped, the machine is told (at once, or in answer to its next hello
// when it was offline), prompts go to the newest open one, and closed ones leave /sessions.
import { describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION, type RelayFrame, type SessionEvent } from "../../src/proto";
import { coreWithMachines } from "../helpers/core-machines";

const CHAT = 1001;
const facts = { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "test" };

/** A second machine of the owner's, stored but never connected. */
async function coreDevice(repo: ReturnType<typeof coreWithMachines>["repo"]) {
  const desk = { id: "desk", name: "desk", ownerId: CHAT, tokenHash: "h-desk", hostname: "box", os: "linux", arch: "x64", osUser: "me", agentVersion: "t", createdAt: 0, lastSeenAt: null };
  await repo.addDevice(desk);
  return desk;
}

async function setup() {
  const { repo, clock, core, device, connect } = coreWithMachines(CHAT);
  const laptop = device("laptop");
  const frames = await connect(laptop);
  let seq = 0;
  const emit = async (sessionId: string, event: SessionEvent) => await core.machines.event(laptop.id, { v: PROTOCOL_VERSION, type: "event", sessionId, seq: seq++, at: clock.now(), event });
  const closes = () => frames.filter((f): f is Extract<RelayFrame, { type: "session.close" }> => f.type === "session.close").map((f) => f.sessionId);
  return { repo, clock, core, laptop, frames, emit, closes };
}

describe("/close", () => {
  test("closes the current conversation, tells the machine, and prompts go to the newest open one", async () => {
    const { core, repo, laptop, clock, emit, closes } = await setup();
    const t1 = await core.turns.submit(CHAT, laptop, "one");
    await emit(t1.sessionId, { kind: "turn.ended", turnId: t1.id, status: "done", durationMs: 1 });
    clock.t += 1000;
    const second = await core.turns.newSession(CHAT, laptop.id);
    clock.t += 1000;
    const third = await core.turns.newSession(CHAT, laptop.id);
    await core.turns.select(CHAT, laptop.id, t1.sessionId);
    const result = await core.turns.close(CHAT, laptop.id);
    expect(result).toMatchObject({ kind: "closed", session: { id: t1.sessionId }, cancelled: 0, next: { id: third.id } });
    expect(closes()).toEqual([t1.sessionId]);
    expect((await repo.session(t1.sessionId))!.closedAt).toBe(clock.now());
    expect((await repo.sessionsOf(CHAT, laptop.id)).map((s) => s.number)).toEqual([3, 2]);
    expect((await core.turns.submit(CHAT, laptop, "goes on")).sessionId).toBe(third.id);
    expect(await core.turns.select(CHAT, laptop.id, t1.sessionId)).toBeUndefined();
    expect(second.number).toBe(2);
  });

  test("by number; an unknown or already closed number closes nothing", async () => {
    const { core, repo, laptop, closes } = await setup();
    const first = await core.turns.session(CHAT, laptop.id);
    const second = await core.turns.newSession(CHAT, laptop.id);
    expect(await core.turns.close(CHAT, laptop.id, 1)).toMatchObject({ kind: "closed", session: { id: first.id }, next: { id: second.id } });
    expect(await core.turns.close(CHAT, laptop.id, 1)).toEqual({ kind: "missing" });
    expect(await core.turns.close(CHAT, laptop.id, 9)).toEqual({ kind: "missing" });
    expect(closes()).toEqual([first.id]);
    expect((await repo.openSession(CHAT, laptop.id))!.id).toBe(second.id);
    // The last one closed: nothing is open, and the next prompt opens a fresh one.
    expect(await core.turns.close(CHAT, laptop.id)).toMatchObject({ kind: "closed", session: { id: second.id } });
    expect(await core.turns.close(CHAT, laptop.id)).toEqual({ kind: "missing" });
    expect((await core.turns.submit(CHAT, laptop, "fresh")).sessionId).not.toBe(second.id);
  });

  test("a conversation running a turn is refused and nothing changes; once it ended, /close goes through", async () => {
    const { core, repo, laptop, emit, closes } = await setup();
    const running = await core.turns.submit(CHAT, laptop, "busy");
    const waiting = await core.turns.submit(CHAT, laptop, "later");
    expect(await core.turns.close(CHAT, laptop.id)).toMatchObject({ kind: "running", session: { id: running.sessionId } });
    expect((await repo.session(running.sessionId))!.closedAt).toBeNull();
    expect((await repo.turn(waiting.id))!.status).toBe("queued");
    expect(closes()).toEqual([]);
    await core.turns.stop(CHAT, laptop.id);
    await emit(running.sessionId, { kind: "turn.ended", turnId: running.id, status: "stopped", durationMs: 1 });
    expect(await core.turns.close(CHAT, laptop.id)).toMatchObject({ kind: "closed", session: { id: running.sessionId } });
    expect(closes()).toEqual([running.sessionId]);
  });

  test("waiting prompts of a closed conversation end as stopped (its machine offline, so nothing ran)", async () => {
    const { core, repo, closes } = await setup();
    const desk = await coreDevice(repo);
    const t1 = await core.turns.submit(CHAT, desk, "queued while offline");
    const t2 = await core.turns.submit(CHAT, desk, "also queued");
    expect((await repo.turn(t1.id))!.status).toBe("queued");
    expect(await core.turns.close(CHAT, desk.id)).toMatchObject({ kind: "closed", cancelled: 2 });
    expect(await Promise.all([t1, t2].map(async (t) => (await repo.turn(t.id))!.status))).toEqual(["stopped", "stopped"]);
    expect(closes()).toEqual([]);
  });

  test("a machine that was offline at close time hears of it when its hello lists the conversation", async () => {
    const { core, repo, laptop, frames } = await setup();
    const session = await core.turns.session(CHAT, laptop.id);
    const kept = await core.turns.newSession(CHAT, laptop.id);
    core.hub.disconnect(laptop.id, 1001, "gone");
    await core.machines.disconnected(laptop);
    await core.turns.close(CHAT, laptop.id, 1);
    const later: RelayFrame[] = [];
    core.hub.attach(laptop.id, { id: crypto.randomUUID(), ip: "127.0.0.1", send: (f) => void later.push(f as RelayFrame), close() {} });
    const hello = { v: PROTOCOL_VERSION, type: "hello" as const, facts, sessions: [{ sessionId: session.id, busy: false }, { sessionId: kept.id, busy: false }, { sessionId: "unknown", busy: false }] };
    await core.machines.connected(laptop, hello);
    await core.machines.ready(laptop, hello);
    expect(later.filter((f) => f.type === "session.close").map((f) => f.sessionId)).toEqual([session.id]);
    expect((await repo.session(kept.id))!.closedAt).toBeNull();
    expect(frames.filter((f) => f.type === "session.close")).toEqual([]);
  });
});
