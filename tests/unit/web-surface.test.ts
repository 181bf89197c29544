// The web surface on the real core (sqlite store, in-process bus, virtual clock), no HTTP: what a
// person's browsers are sent, numbered, and what a browser that was away gets when it comes back,
// even when none of that person's browsers was open meanwhile.
import { describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION, type SessionEvent } from "../../src/proto";
import type { WebServerMessage, WebSnapshot } from "../../src/proto/web";
import { LocalBus } from "../../src/relay/bus/local";
import { createCore } from "../../src/relay/core";
import type { CoreEvent } from "../../src/relay/core/events";
import type { Device, User } from "../../src/relay/store/types";
import { WebSurface, type WebClient } from "../../src/relay/web/surface";
import { tempRelayDb } from "../helpers/temp-relay-db";

const OWNER: User = { telegramId: 1001, role: "owner", name: "Olga", createdAt: 0 };
const OTHER: User = { telegramId: 2002, role: "user", name: "Bob", createdAt: 0 };
const silentLog = { debug() {}, info() {}, warn() {}, error() {}, success() {} } as never;

async function setup() {
  const { repo, clock } = tempRelayDb(1_700_000_000_000);
  await repo.addUser(OWNER);
  await repo.addUser(OTHER);
  const bus = new LocalBus<CoreEvent>((err) => {
    throw err;
  });
  const core = createCore({ store: repo, bus, clock, log: silentLog, approvalTimeoutMs: 60_000 });
  const surface = new WebSurface(core);
  bus.subscribe(surface.handle);
  const device: Device = { id: "dev1", name: "laptop", ownerId: OWNER.telegramId, tokenHash: "h", hostname: "box", os: "linux", arch: "x64", osUser: "me", agentVersion: "t", createdAt: 0, lastSeenAt: null };
  await repo.addDevice(device);
  core.hub.attach(device.id, { id: "l", ip: "127.0.0.1", send() {}, close() {} });
  await core.machines.connected(device, { v: PROTOCOL_VERSION, type: "hello", facts: { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "t" }, sessions: [] });
  await core.machines.ready(device);
  let seq = 0;
  const emit = async (sessionId: string, event: SessionEvent) => await core.machines.event(device.id, { v: PROTOCOL_VERSION, type: "event", sessionId, seq: seq++, at: 0, event });
  const browser = async (user: User, resume?: { epoch: string; seq: number }) => {
    const got: WebServerMessage[] = [];
    const client: WebClient = { user, sessionId: `s${user.telegramId}`, send: (m) => void got.push(m), close() {} };
    await surface.attach(client, resume);
    return { got, client };
  };
  /** Every event published so far is shown to the browsers. */
  const settled = async () => {
    await bus.settled();
    await surface.settled();
  };
  return { core, surface, device, emit, browser, settled };
}

const seqsOf = (messages: WebServerMessage[]) => messages.flatMap((m) => ("seq" in m && m.type !== "snapshot" && m.type !== "resume" ? [m.seq] : []));

describe("the web surface", () => {
  test("a person's events are numbered without gaps; another person hears nothing of them", async () => {
    const { core, device, emit, browser, settled } = await setup();
    const mine = await browser(OWNER);
    const theirs = await browser(OTHER);
    const turn = await core.turns.submit(OWNER.telegramId, device, "hello");
    await emit(turn.sessionId, { kind: "text", turnId: turn.id, text: "Hi there. " });
    await emit(turn.sessionId, { kind: "turn.ended", turnId: turn.id, status: "done", durationMs: 5 });
    await settled();
    const snapshot = mine.got[0] as WebSnapshot;
    expect(seqsOf(mine.got)).toEqual(seqsOf(mine.got).map((_, i) => snapshot.seq + 1 + i));
    expect(mine.got.some((m) => m.type === "text" && m.text === "Hi there. ")).toBe(true);
    expect(theirs.got.map((m) => m.type)).toEqual(["snapshot"]);
    expect((theirs.got[0] as WebSnapshot).devices).toEqual([]);
  });

  test("events while none of the person's browsers is open are kept, and a returning browser gets exactly them", async () => {
    const { core, surface, device, emit, browser, settled } = await setup();
    const first = await browser(OWNER);
    const snapshot = first.got[0] as WebSnapshot;
    surface.detach(first.client);
    const turn = await core.turns.submit(OWNER.telegramId, device, "while away");
    await emit(turn.sessionId, { kind: "text", turnId: turn.id, text: "Missed " });
    await emit(turn.sessionId, { kind: "text", turnId: turn.id, text: "words." });
    await emit(turn.sessionId, { kind: "turn.ended", turnId: turn.id, status: "done", durationMs: 5 });
    await settled();
    const back = await browser(OWNER, { epoch: snapshot.epoch, seq: snapshot.seq });
    expect(back.got[0]).toEqual({ type: "resume", epoch: snapshot.epoch, seq: snapshot.seq });
    expect(seqsOf(back.got.slice(1))).toEqual(back.got.slice(1).map((_, i) => snapshot.seq + 1 + i));
    const text = back.got.flatMap((m) => (m.type === "text" ? [m.text] : [])).join("");
    expect(text).toBe("Missed words.");
    expect(back.got.some((m) => m.type === "turn" && m.turn.status === "done")).toBe(true);
    // A position from another process (epoch) gets a snapshot instead.
    expect((await browser(OWNER, { epoch: "other", seq: snapshot.seq })).got[0]!.type).toBe("snapshot");
  });

  test("revoking a session closes its sockets only", async () => {
    const { surface, browser } = await setup();
    const closed: string[] = [];
    const a = await browser(OWNER);
    const b = await browser(OTHER);
    a.client.close = () => void closed.push("a");
    b.client.close = () => void closed.push("b");
    await surface.closeSessions([a.client.sessionId]);
    expect(closed).toEqual(["a"]);
  });
});
