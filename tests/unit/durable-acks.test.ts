// Group commit on the real sqlite file: what the relay writes in one turn of the event loop is one
// transaction, and nothing that describes it (an ack, a welcome, a prompt) leaves before that
// transaction is committed. The event loop is turned by hand; a second connection reads the file
// and sees only what is committed.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WSContext } from "hono/ws";
import { CloseCode, encode, type AgentFrame, type RelayFrame, type SessionEvent } from "../../src/proto";
import { agentSocket } from "../../src/relay/agent-socket";
import { LocalBus } from "../../src/relay/bus/local";
import { createCore } from "../../src/relay/core";
import type { CoreEvent } from "../../src/relay/core/events";
import { openDb } from "../../src/relay/db/client";
import { createRepo } from "../../src/relay/db/repo";
import { asyncStore } from "../../src/relay/store/async";
import { walSync } from "../../src/relay/db/wal-sync";
import { FrameQueue } from "../../src/relay/frame-queue";
import type { Device } from "../../src/relay/store/types";
import { tmpDir } from "../helpers/tmp";
import { VirtualClock } from "../helpers/virtual-clock";
import { walCommits } from "../helpers/wal";

const CHAT = 1001;
const silentLog = { debug() {}, info() {}, warn() {}, error() {}, success() {} } as never;
const facts = { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "test" };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The event loop turned by hand: what the relay leaves for "after this turn" waits for `turn()`. */
function handLoop() {
  let pending: (() => void)[] = [];
  let wake: (() => void) | undefined;
  return {
    defer: (fn: () => void) => {
      pending.push(fn);
      wake?.();
    },
    /**
     * Runs what waited for the end of the current turn (what that leaves waits for the next one),
     * and the promise chains that started (the store answers with promises already settled).
     */
    async turn() {
      const now = pending;
      pending = [];
      for (const fn of now) fn();
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    /** Resolves once something waits for the end of the turn. */
    waiting(): Promise<void> {
      return pending.length ? Promise.resolve() : new Promise((resolve) => (wake = resolve));
    },
  };
}

async function setup() {
  const dir = tmpDir("ra-durable-");
  const path = join(dir.path, "relay.db");
  const db = openDb(path);
  // A wrapped database whose COMMIT fails when the test says so, as a full disk or an I/O error would.
  let failNextCommit = false;
  const prepare = db.$client.prepare.bind(db.$client);
  db.$client.prepare = ((sql: string, ...rest: []) => {
    const statement = prepare(sql, ...rest);
    if (sql !== "COMMIT") return statement;
    return {
      run: () => {
        if (!failNextCommit) return statement.run();
        failNextCommit = false;
        throw new Error("disk I/O error");
      },
    };
  }) as typeof db.$client.prepare;
  const loop = handLoop();
  const failures: unknown[] = [];
  // The real fsync of the log; the loop hears that it is done when the test turns it.
  const wal = walSync(path);
  const sqlite = createRepo(db, { defer: loop.defer, sync: (done) => wal((err) => loop.defer(() => done(err))), report: (err) => failures.push(err) });
  const repo = asyncStore(sqlite);
  const clock = new VirtualClock();
  clock.t = 1_700_000_000_000;
  const bus = new LocalBus<CoreEvent>((err) => failures.push(err));
  const core = createCore({ store: repo, bus, clock, log: silentLog, approvalTimeoutMs: 60_000 });
  const device: Device = { id: "dev1", name: "laptop", ownerId: CHAT, tokenHash: "h", hostname: "", os: "", arch: "", osUser: "", agentVersion: "", createdAt: clock.now(), lastSeenAt: null };
  await repo.addDevice(device);
  sqlite.flush();
  // One slice takes whatever waits (slices are tested on their own below).
  const frames = new FrameQueue((err) => failures.push(err), Number.POSITIVE_INFINITY, loop.defer);
  const reader = new Database(path, { readonly: true });
  cleanups.push(() => dir[Symbol.asyncDispose](), () => (sqlite.flush(), db.$client.close()), () => reader.close());

  /** An agent's connection as the relay's WebSocket handlers see it. */
  const connect = () => {
    const sent: RelayFrame[] = [];
    const socket = { closed: undefined as { code?: number; reason?: string } | undefined };
    const ws = { send: (raw: string) => void sent.push(JSON.parse(raw) as RelayFrame), close: (code?: number, reason?: string) => void (socket.closed = { code, reason }) } as unknown as WSContext;
    const handlers = agentSocket({ core, clock, log: silentLog, botUsername: () => undefined, frames }, device, ws, "127.0.0.1");
    const send = (frame: Parameters<typeof encode<AgentFrame>>[0]) => handlers.onMessage(encode<AgentFrame>(frame));
    return { sent, socket, handlers, send };
  };
  /** Says hello and returns once the welcome went out (the hub's decision, the hello, its commit). */
  const hello = async (agent: ReturnType<typeof connect>, sessions: { sessionId: string; busy: boolean }[] = []) => {
    agent.send({ type: "hello", facts, sessions });
    while (!agent.sent.some((f) => f.type === "welcome")) {
      await loop.waiting();
      await loop.turn();
    }
    return agent.sent.find((f) => f.type === "welcome") as Extract<RelayFrame, { type: "welcome" }>;
  };
  const committedSeq = (sessionId: string) => (reader.query("SELECT last_seq AS seq FROM sessions WHERE id = ?").get(sessionId) as { seq: number }).seq;
  const fail = () => (failNextCommit = true);
  /** Waits for the fsync that follows a commit, and lets what waited for it go. */
  const onDisk = async () => {
    await loop.waiting();
    await loop.turn();
  };
  return { path, repo, core, device, loop, connect, hello, committedSeq, reader, failures, fail, onDisk };
}

const text = (turnId: string, t: string): SessionEvent => ({ kind: "text", turnId, text: t });

describe("durable acknowledgements (group commit)", () => {
  test("an event is acknowledged only once the transaction that stores it is committed; one commit for all the frames of a turn of the loop", async () => {
    const { path, core, device, loop, connect, hello, committedSeq, reader, onDisk } = await setup();
    const agent = await connect();
    const welcome = await hello(agent);
    expect(welcome.acks).toEqual([]);
    expect(reader.query("SELECT hostname, agent_version AS v FROM devices WHERE id = ?").get(device.id)).toEqual({ hostname: "box", v: "test" });

    const turn = await core.turns.submit(CHAT, device, "hi");
    expect(agent.sent.some((f) => f.type === "prompt")).toBe(false); // the turn is not committed yet
    await loop.turn();
    expect(agent.sent.some((f) => f.type === "prompt")).toBe(false); // committed, not yet on disk
    await onDisk();
    expect(agent.sent.filter((f) => f.type === "prompt").map((f) => (f as { turnId: string }).turnId)).toEqual([turn.id]);

    const before = walCommits(path);
    for (let seq = 0; seq < 3; seq++) agent.send({ type: "event", sessionId: turn.sessionId, seq, at: 0, event: text(turn.id, `piece ${seq} `) });
    await loop.turn(); // the queue's slice: all three stored, in one open transaction
    expect(agent.sent.filter((f) => f.type === "ack")).toEqual([]);
    expect(committedSeq(turn.sessionId)).toBe(-1);
    expect(walCommits(path)).toBe(before);
    await loop.turn(); // the end of that turn of the loop: one commit, its fsync on another thread
    expect(walCommits(path)).toBe(before + 1);
    expect(committedSeq(turn.sessionId)).toBe(2);
    expect(agent.sent.filter((f) => f.type === "ack")).toEqual([]);
    await onDisk(); // then the acks
    expect(agent.sent.filter((f) => f.type === "ack")).toEqual([0, 1, 2].map((seq) => expect.objectContaining({ sessionId: turn.sessionId, seq })));
  });

  test("a failed commit acknowledges nothing and loses nothing: the agent is closed, reconnects, replays and is acknowledged then", async () => {
    const { repo, core, device, loop, connect, hello, committedSeq, failures, fail, onDisk } = await setup();
    const agent = await connect();
    await hello(agent);
    const turn = await core.turns.submit(CHAT, device, "hi");
    await loop.turn();
    await onDisk();
    agent.send({ type: "event", sessionId: turn.sessionId, seq: 0, at: 0, event: text(turn.id, "kept") });
    await loop.turn();
    await loop.turn();
    await onDisk();
    expect(agent.sent.filter((f) => f.type === "ack").map((f) => (f as { seq: number }).seq)).toEqual([0]);

    // Events 1 and 2 are stored in a transaction whose commit fails.
    agent.send({ type: "event", sessionId: turn.sessionId, seq: 1, at: 0, event: text(turn.id, " lost") });
    agent.send({ type: "event", sessionId: turn.sessionId, seq: 2, at: 0, event: text(turn.id, " twice") });
    await loop.turn();
    fail();
    await loop.turn();
    expect(failures.map((e) => (e as Error).message)).toEqual(["disk I/O error"]);
    expect(agent.sent.filter((f) => f.type === "ack").map((f) => (f as { seq: number }).seq)).toEqual([0]);
    expect(agent.socket.closed?.code).toBe(CloseCode.goingAway);
    expect(committedSeq(turn.sessionId)).toBe(0);
    expect(await repo.turnText(turn.id)).toBe("kept");

    // The agent kept 1 and 2 (never acknowledged): it reconnects, hears what is stored, replays.
    agent.handlers.onClose();
    await loop.turn();
    const again = await connect();
    const welcome = await hello(again, [{ sessionId: turn.sessionId, busy: true }]);
    expect(welcome.acks).toEqual([{ sessionId: turn.sessionId, seq: 0 }]);
    again.send({ type: "event", sessionId: turn.sessionId, seq: 1, at: 0, event: text(turn.id, " lost") });
    again.send({ type: "event", sessionId: turn.sessionId, seq: 2, at: 0, event: text(turn.id, " twice") });
    await loop.turn();
    await loop.turn();
    await onDisk();
    expect(again.sent.filter((f) => f.type === "ack").map((f) => (f as { seq: number }).seq)).toEqual([1, 2]);
    expect(committedSeq(turn.sessionId)).toBe(2);
    expect(await repo.turnText(turn.id)).toBe("kept lost twice");
  });

  test("frames of one connection are handled in order, and its close after them", async () => {
    const { core, device, loop, connect, hello, committedSeq } = await setup();
    const agent = await connect();
    await hello(agent);
    const turn = await core.turns.submit(CHAT, device, "hi");
    await loop.turn();
    for (let seq = 0; seq < 50; seq++) agent.send({ type: "event", sessionId: turn.sessionId, seq, at: 0, event: text(turn.id, `${seq},`) });
    agent.handlers.onClose();
    expect(core.hub.online(device.id)).toBe(true); // the close waits behind the frames
    while (core.hub.online(device.id)) {
      await loop.waiting();
      await loop.turn();
    }
    await loop.turn();
    expect(committedSeq(turn.sessionId)).toBe(49);
    expect(await core.store.turnText(turn.id)).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(""));
  });

  test("a storm is done in slices: between two, the loop reads what else arrived and commits what the slice wrote", async () => {
    const loop = handLoop();
    let t = 0;
    const done: number[] = [];
    const queue = new FrameQueue((err) => done.push(-1, err as never), 8, loop.defer, () => t);
    for (let i = 0; i < 10; i++) queue.push(() => void ((t += 3), done.push(i)));
    expect(done).toEqual([]);
    await loop.turn();
    expect(done).toEqual([0, 1, 2]); // 9 ms: over the 8 ms slice after the third
    queue.push(() => void done.push(10)); // arrives meanwhile: after the ones before it
    await loop.turn();
    await loop.turn();
    await loop.turn();
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(queue.size).toBe(0);
  });

  test("when the queue runs empty after a burst of at least the given size, the burst listeners hear how many tasks it had", async () => {
    const loop = handLoop();
    let t = 0;
    const bursts: number[] = [];
    const queue = new FrameQueue(() => {}, 8, loop.defer, () => t);
    queue.afterBursts(5, (tasks) => bursts.push(tasks));
    for (let i = 0; i < 3; i++) queue.push(() => {});
    await loop.turn();
    expect(bursts).toEqual([]); // 3 tasks: not a burst
    for (let i = 0; i < 7; i++) queue.push(() => void (t += 3));
    await loop.turn();
    expect(bursts).toEqual([]); // sliced: 4 tasks still wait
    await loop.turn();
    await loop.turn();
    expect(queue.size).toBe(0);
    expect(bursts).toEqual([7]);
  });
});
