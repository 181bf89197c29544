// Scheduled prompts on a virtual clock: due ones become unattended turns, an offline machine gets
// them when back (or that time is skipped), a relay that was down runs a missed time once, and the
// "while you were away" digest arrives when the unattended turn ends.
import { describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION, type RelayFrame } from "../../src/proto";
import { LocalBus } from "../../src/relay/bus/local";
import { createCore } from "../../src/relay/core";
import type { CoreEvent } from "../../src/relay/core/events";
import type { FormattedText } from "../../src/relay/format";
import type { Device } from "../../src/relay/store/types";
import { Digests } from "../../src/relay/telegram/digest";
import type { Messenger } from "../../src/relay/telegram/messenger";
import { tempRelayDb } from "../helpers/temp-relay-db";

const CHAT = 1001;
const facts = { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "test" };
const silentLog = { debug() {}, info() {}, warn() {}, error() {}, success() {} } as never;
// Friday 4 December 2026, 08:00 UTC.
const START = Date.parse("2026-12-04T08:00:00Z");

async function setup(existing?: ReturnType<typeof tempRelayDb>) {
  const db = existing ?? tempRelayDb(START);
  const { repo, clock } = db;
  const events: CoreEvent[] = [];
  const bus = new LocalBus<CoreEvent>((err) => { throw err; });
  bus.subscribe((e) => void events.push(e));
  const core = createCore({ store: repo, bus, clock, log: silentLog, approvalTimeoutMs: 600_000 });
  const sent: string[] = [];
  const messenger = { send: async (_chat: number, ft: FormattedText) => void sent.push(ft.text) } as unknown as Messenger;
  bus.subscribe(new Digests({ core, messenger, threadOf: async () => undefined }).handle);
  const device: Device = { id: "dev1", name: "laptop", ownerId: CHAT, tokenHash: "h", hostname: "box", os: "linux", arch: "x64", osUser: "me", agentVersion: "t", createdAt: clock.now(), lastSeenAt: null };
  if (!await repo.device(device.id)) await repo.addDevice(device);
  const frames: RelayFrame[] = [];
  const connect = async () => {
    core.hub.attach(device.id, { id: crypto.randomUUID(), ip: "127.0.0.1", send: (f) => void frames.push(f as RelayFrame), close() {} });
    await core.machines.connected(device, { v: PROTOCOL_VERSION, type: "hello", facts, sessions: [] });
    await core.machines.ready(device);
  };
  const add = async (missed: "run" | "skip" = "run") =>
    (await core.schedules.add({ chatId: CHAT, deviceId: device.id, userId: CHAT, prompt: "run the tests and summarise failures", timeZone: "UTC", cwd: null, missed }, { kind: "every", days: [1, 2, 3, 4, 5], hour: 9, minute: 0 }))!;
  return { db, repo, clock, core, device, frames, connect, add, events, sent };
}

describe("scheduled prompts", () => {
  test("a due schedule becomes an unattended turn, then waits for the next weekday; its digest rings when it ends", async () => {
    const { clock, core, connect, add, frames, repo, sent } = await setup();
    await connect();
    await core.schedules.start();
    const schedule = await add();
    expect(schedule.nextAt).toBe(Date.parse("2026-12-04T09:00:00Z"));
    await clock.advance(60 * 60_000);
    const prompt = frames.find((f) => f.type === "prompt") as Extract<RelayFrame, { type: "prompt" }>;
    expect(prompt.text).toBe("run the tests and summarise failures");
    expect((await repo.turn(prompt.turnId))?.origin).toBe("schedule");
    // Friday 9:00 ran: next is Monday 7 December.
    expect((await repo.schedule(schedule.id))?.nextAt).toBe(Date.parse("2026-12-07T09:00:00Z"));
    await repo.setTurnTools(prompt.turnId, JSON.stringify([
      { id: "1", name: "Bash", summary: "npm test", startedAt: 1, endedAt: 2, isError: true },
      { id: "2", name: "Bash", summary: "ls", startedAt: 1, endedAt: 2 },
    ]));
    await core.machines.event("dev1", { v: PROTOCOL_VERSION, type: "event", sessionId: prompt.sessionId, seq: 0, at: clock.now(), event: { kind: "turn.ended", turnId: prompt.turnId, status: "done", durationMs: 95_000, costUsd: 0.12, files: ["src/a.ts", "README.md"] } });
    expect(sent).toEqual([
      '🌙 While you were away: laptop ran "run the tests and summarise failures" (scheduled)\n✅ done · 2 min · $0.12\n📝 2 files changed: src/a.ts, README.md\n⚙️ 2 commands · tests: 0 passed, 1 failed',
    ]);
  });

  test("an offline machine gets the prompt when it is back; with 'skip' that time is skipped and said", async () => {
    const { clock, core, add, frames, connect, events, sent } = await setup();
    await core.schedules.start();
    await add("run");
    const skipping = await add("skip");
    await clock.advance(60 * 60_000);
    expect(events.filter((e) => e.type === "turn.created")).toHaveLength(1);
    expect(events.find((e) => e.type === "schedule.skipped")).toMatchObject({ schedule: { id: skipping.id }, reason: "laptop was offline" });
    expect(sent).toEqual(['⏭ Skipped "run the tests and summarise failures" (weekdays at 09:00): laptop was offline.']);
    await connect();
    await Promise.resolve();
    expect(frames.filter((f) => f.type === "prompt")).toHaveLength(1);
  });

  test("after a relay that was down through several times, a missed schedule runs once", async () => {
    const first = await setup();
    await first.add();
    first.core.schedules.stop();
    // Down from Friday 8:00 until Tuesday 10:00: Friday, Monday and Tuesday 9:00 all passed.
    await first.clock.advance(Date.parse("2026-12-08T10:00:00Z") - START);
    const second = await setup(first.db);
    await second.connect();
    await second.core.schedules.start();
    expect(second.frames.filter((f) => f.type === "prompt")).toHaveLength(1);
    expect((await second.repo.allSchedules())[0]!.nextAt).toBe(Date.parse("2026-12-09T09:00:00Z"));
  });

  test("/at runs once and is gone", async () => {
    const { clock, core, connect, repo } = await setup();
    await connect();
    await core.schedules.start();
    await core.schedules.add({ chatId: CHAT, deviceId: "dev1", userId: CHAT, prompt: "summarise the day", timeZone: "UTC", cwd: null, missed: "run" }, { kind: "once", at: START + 10 * 60_000 });
    await clock.advance(10 * 60_000);
    expect(await repo.allSchedules()).toEqual([]);
  });
});
