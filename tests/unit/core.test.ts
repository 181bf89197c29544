// The relay core on its own: no Telegram, no HTTP. A real sqlite store, the in-process bus, a
// virtual clock, and recording links in place of agents' sockets.
import { describe, expect, test } from "bun:test";
import { MAX_TEXT_EVENT_CHARS, MAX_TURN_TEXT_CHARS, PROTOCOL_VERSION, type RelayFrame, type SessionEvent } from "../../src/proto";
import { LocalBus } from "../../src/relay/bus/local";
import { createCore } from "../../src/relay/core";
import type { CoreEvent } from "../../src/relay/core/events";
import { type AgentLink, PROBE_MS } from "../../src/relay/core/hub";
import { CloseCode } from "../../src/proto";
import { PAIR_CODE_TTL_MS } from "../../src/relay/core/pairing";
import type { Device } from "../../src/relay/store/types";
import { tempRelayDb } from "../helpers/temp-relay-db";

const CHAT = 1001;
const TIMEOUT_MS = 60_000;
const facts = { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "test" };

type RecordingLink = AgentLink & { frames: RelayFrame[]; closed?: { code: number; reason: string } };
const recordingLink = (ip = "127.0.0.1"): RecordingLink => {
  const link: RecordingLink = { id: crypto.randomUUID(), ip, frames: [], send: (f) => void link.frames.push(f as RelayFrame), close: (code, reason) => void (link.closed = { code, reason }) };
  return link;
};
const silentLog = { debug() {}, info() {}, warn() {}, error() {}, success() {} } as never;

async function setup() {
  const { repo, sqlite, clock } = tempRelayDb(1_700_000_000_000);
  const events: CoreEvent[] = [];
  const errors: unknown[] = [];
  const bus = new LocalBus<CoreEvent>((err) => errors.push(err));
  bus.subscribe((e) => void events.push(e));
  const core = createCore({ store: repo, bus, clock, log: silentLog, approvalTimeoutMs: TIMEOUT_MS });
  const device: Device = { id: "dev1", name: "laptop", ownerId: CHAT, tokenHash: "h", hostname: "box", os: "linux", arch: "x64", osUser: "me", agentVersion: "t", createdAt: clock.now(), lastSeenAt: null };
  await repo.addDevice(device);
  const link = recordingLink();
  const connect = async () => {
    core.hub.attach(device.id, link);
    const acks = await core.machines.connected(device, { v: PROTOCOL_VERSION, type: "hello", facts, sessions: [] });
    await core.machines.ready(device);
    return acks;
  };
  let seq = 0;
  const emit = async (sessionId: string, event: SessionEvent) => await core.machines.event(device.id, { v: PROTOCOL_VERSION, type: "event", sessionId, seq: seq++, at: clock.now(), event });
  const ofType = <T extends CoreEvent["type"]>(type: T) => events.filter((e): e is Extract<CoreEvent, { type: T }> => e.type === type);
  return { repo, sqlite, clock, core, device, link, connect, emit, events, ofType, errors, bus };
}

describe("relay core", () => {
  test("a prompt for an offline machine waits, and runs when the machine says hello", async () => {
    const { core, device, link, connect, ofType } = await setup();
    const turn = await core.turns.submit(CHAT, device, "hello");
    expect(ofType("turn.created")[0]).toMatchObject({ turn: { id: turn.id }, waiting: "laptop is offline; this prompt runs as soon as it reconnects" });
    expect(ofType("turn.started")).toEqual([]);
    await connect();
    expect(ofType("turn.started").map((e) => e.turn.id)).toEqual([turn.id]);
    expect(link.frames).toContainEqual(expect.objectContaining({ type: "prompt", turnId: turn.id, text: "hello", mode: "default" }));
  });

  test("events are stored once and in order: a replayed seq is acknowledged and not published again", async () => {
    const { core, device, connect, emit, ofType, repo, sqlite } = await setup();
    await connect();
    const turn = await core.turns.submit(CHAT, device, "hi");
    expect(await emit(turn.sessionId, { kind: "text", turnId: turn.id, text: "Hel" })).toEqual({ ack: 0 });
    expect(await emit(turn.sessionId, { kind: "text", turnId: turn.id, text: "lo" })).toEqual({ ack: 1 });
    const replay = await core.machines.event(device.id, { v: PROTOCOL_VERSION, type: "event", sessionId: turn.sessionId, seq: 0, at: 0, event: { kind: "text", turnId: turn.id, text: "Hel" } });
    expect(replay).toEqual({ ack: 1 });
    expect(ofType("turn.output").map((e) => (e.output.kind === "text" ? e.output.text : ""))).toEqual(["Hel", "lo"]);
    expect(await repo.turnText(turn.id)).toBe("Hello");
    // Each piece is a row of its own: the growing answer is never rewritten.
    expect(sqlite.db.$client.query("SELECT text FROM turn_text WHERE turn_id = ? ORDER BY id").all(turn.id)).toEqual([{ text: "Hel" }, { text: "lo" }]);
    expect((await repo.turn(turn.id))!.text).toBe("");
  });

  test("a hostile agent cannot fill the relay's disk: text past the per-turn cap is acknowledged but not stored", async () => {
    const { core, device, connect, emit, repo } = await setup();
    await connect();
    const turn = await core.turns.submit(CHAT, device, "flood");
    const piece = "x".repeat(MAX_TEXT_EVENT_CHARS);
    const pieces = MAX_TURN_TEXT_CHARS / MAX_TEXT_EVENT_CHARS + 5;
    for (let i = 0; i < pieces; i++) expect(await emit(turn.sessionId, { kind: "text", turnId: turn.id, text: piece })).toEqual({ ack: i });
    expect((await repo.turnText(turn.id)).length).toBe(MAX_TURN_TEXT_CHARS + MAX_TEXT_EVENT_CHARS);
  });

  test("an unanswered approval expires on the clock: denied to the machine, closed for every surface", async () => {
    const { core, device, link, connect, emit, ofType, clock, repo } = await setup();
    await connect();
    const turn = await core.turns.submit(CHAT, device, "write it");
    await emit(turn.sessionId, { kind: "approval.request", turnId: turn.id, requestId: "r1", toolName: "Write", input: { file_path: "a.txt", content: "x" } });
    const opened = ofType("approval.opened");
    expect(opened).toHaveLength(1);
    await clock.advance(TIMEOUT_MS - 1);
    expect(ofType("approval.closed")).toEqual([]);
    await clock.advance(1);
    expect(ofType("approval.closed")).toEqual([expect.objectContaining({ status: "expired", line: "⌛ expired → denied (no answer in 1 min)" })]);
    expect(ofType("turn.approvalsSettled").map((e) => e.turnId)).toEqual([turn.id]);
    expect(link.frames.at(-1)).toMatchObject({ type: "approval.answer", requestId: "r1", decision: { behavior: "deny" } });
    expect((await repo.approval(opened[0]!.approval.id))!.status).toBe("expired");
  });

  test("an answered approval is decided once; its expiry never fires", async () => {
    const { core, device, link, connect, emit, ofType, clock } = await setup();
    await connect();
    const turn = await core.turns.submit(CHAT, device, "run");
    await emit(turn.sessionId, { kind: "approval.request", turnId: turn.id, requestId: "r2", toolName: "Bash", input: { command: "ls" } });
    const id = ofType("approval.opened")[0]!.approval.id;
    expect(await core.approvals.answer(id, "a", CHAT, CHAT)).toBe("Allowed");
    expect(await core.approvals.answer(id, "d", CHAT, CHAT)).toBe("Already decided.");
    await clock.advance(TIMEOUT_MS * 2);
    expect(ofType("approval.closed").map((e) => e.status)).toEqual(["allowed"]);
    expect(link.frames.filter((f) => f.type === "approval.answer")).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  test("deny with a reason given at once decides exactly that card, whatever waits for a reason in the chat", async () => {
    const { core, device, link, connect, emit, ofType } = await setup();
    await connect();
    const turn = await core.turns.submit(CHAT, device, "two tools");
    await emit(turn.sessionId, { kind: "approval.request", turnId: turn.id, requestId: "ra", toolName: "Bash", input: { command: "rm a" } });
    await emit(turn.sessionId, { kind: "approval.request", turnId: turn.id, requestId: "rb", toolName: "Bash", input: { command: "rm b" } });
    const [first, second] = ofType("approval.opened").map((e) => e.approval.id) as [string, string];
    expect(await core.approvals.answer(first, "r", CHAT, CHAT)).toBe("Send the reason as your next message.");
    expect(await core.approvals.denyWithReason(second, CHAT, CHAT, "keep b")).toBe("Denied");
    expect(link.frames.filter((f) => f.type === "approval.answer")).toEqual([expect.objectContaining({ requestId: "rb", decision: { behavior: "deny", message: "keep b" } })]);
    expect(ofType("approval.closed").map((e) => [e.approval.id, e.line])).toEqual([[second, "❌ denied by you: keep b · 22:13"]]);
    expect(await core.approvals.denyWithReason(second, CHAT, CHAT, "again")).toBe("Already decided.");
    expect(await core.approvals.denyWithReason(first, 999, 999, "not mine")).toBe("This card is not yours.");
    // The first still waits for its reason, from the next message in the chat.
    expect(await core.approvals.reason(CHAT, CHAT, "keep a")).toBe(true);
    expect(ofType("approval.closed").map((e) => e.approval.id)).toEqual([second, first]);
  });

  test("a pairing code dies on the clock after 10 minutes and the waiting machine is told", async () => {
    const { core, clock } = await setup();
    const link = recordingLink("203.0.113.9");
    const opened = core.pairing.open(link, "pi", facts, "ABCD-EFGH");
    expect("code" in opened).toBe(true);
    await clock.advance(PAIR_CODE_TTL_MS - 1);
    expect(link.closed).toBeUndefined();
    await clock.advance(1);
    expect(link.frames).toEqual([{ type: "pair.rejected", reason: "the pairing code expired after 10 minutes; run `ra pair` again" } as RelayFrame]);
    expect(link.closed?.reason).toBe("pairing over");
  });

  test("a surface that throws is reported and does not keep the event from the others", async () => {
    const { core, device, bus, events, errors } = await setup();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("broken surface");
    });
    bus.subscribe((e) => void seen.push(e.type));
    await core.turns.submit(CHAT, device, "x");
    expect(errors.map((e) => (e as Error).message)).toContain("broken surface");
    expect(seen).toContain("turn.created");
    expect(events.map((e) => e.type)).toContain("turn.created");
  });

  describe("a second connection with the same token", () => {
    test("is refused while the connected agent answers its ping", async () => {
      const { core, device, clock } = await setup();
      const first = recordingLink("198.51.100.7");
      expect(await core.hub.claim(device.id, first)).toEqual({ outcome: "attached" });
      const second = recordingLink("203.0.113.9");
      const claim = core.hub.claim(device.id, second);
      await clock.advance(1);
      expect(first.frames.at(-1)).toMatchObject({ type: "ping" });
      core.hub.pong(first);
      expect(await claim).toEqual({ outcome: "refused", kept: first });
      expect(core.hub.ipOf(device.id)).toBe("198.51.100.7");
      expect(first.closed).toBeUndefined();
    });

    test("takes over when the connected one stays silent for PROBE_MS (a dead link)", async () => {
      const { core, device, clock } = await setup();
      const first = recordingLink("198.51.100.7");
      await core.hub.claim(device.id, first);
      const second = recordingLink("198.51.100.7");
      let settled = false;
      const claim = core.hub.claim(device.id, second).then((c) => ((settled = true), c));
      await clock.advance(PROBE_MS - 1);
      expect(settled).toBe(false);
      await clock.advance(1);
      expect(await claim).toEqual({ outcome: "attached", replaced: first });
      expect(first.closed?.code).toBe(CloseCode.replaced);
    });

    test("takes over at once after the owner let the next one in, once", async () => {
      const { core, device, clock } = await setup();
      const first = recordingLink();
      await core.hub.claim(device.id, first);
      core.hub.admitNext(device.id);
      const second = recordingLink();
      expect(await core.hub.claim(device.id, second)).toEqual({ outcome: "attached", replaced: first });
      const third = recordingLink();
      const claim = core.hub.claim(device.id, third);
      await clock.advance(1);
      core.hub.pong(second);
      expect(await claim).toEqual({ outcome: "refused", kept: second });
    });

    test("the owner hears of it at once, and at most once in 10 minutes per machine", async () => {
      const { core, device, clock, ofType } = await setup();
      core.machines.duplicate(device, "203.0.113.9", "198.51.100.7");
      core.machines.duplicate(device, "203.0.113.9", "198.51.100.7");
      expect(ofType("device.duplicate")).toEqual([{ type: "device.duplicate", device, ip: "203.0.113.9", keptIp: "198.51.100.7" }]);
      await clock.advance(10 * 60_000);
      core.machines.duplicate(device, "203.0.113.10", "198.51.100.7");
      expect(ofType("device.duplicate")).toHaveLength(2);
    });
  });
});
