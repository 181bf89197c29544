// One Telegram update, one transaction: the relay's real Telegram side (grammY, the update inbox,
// the prompt handler) and core on the real sqlite file, the fake Bot API on loopback, a recording
// link in place of the machine's socket. The prompt leaves once everything the update changed is
// committed, in a single commit (counted in the write-ahead log).
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Update } from "grammy/types";
import type { WSContext } from "hono/ws";
import { PROTOCOL_VERSION, type RelayFrame } from "../../src/proto";
import { durableLink } from "../../src/relay/agent-socket";
import { LocalBus } from "../../src/relay/bus/local";
import { createCore } from "../../src/relay/core";
import type { CoreEvent } from "../../src/relay/core/events";
import { openDb } from "../../src/relay/db/client";
import { createRepo } from "../../src/relay/db/repo";
import { asyncStore } from "../../src/relay/store/async";
import { walSync } from "../../src/relay/db/wal-sync";
import { OwnerClaim } from "../../src/relay/owner-claim";
import { ApprovalCards } from "../../src/relay/telegram/approval-cards";
import { createTelegram } from "../../src/relay/telegram/bot";
import { Topics } from "../../src/relay/telegram/topics";
import { TurnSurface } from "../../src/relay/telegram/turn-surface";
import type { Device } from "../../src/relay/store/types";
import { FakeTelegram } from "../fakes/telegram-api";
import { tmpDir } from "../helpers/tmp";
import { VirtualClock } from "../helpers/virtual-clock";
import { walCommits } from "../helpers/wal";

const OWNER = 1001;
const TOKEN = "123456:TEST-token-for-the-fake-bot-api";
const silentLog = { debug() {}, info() {}, warn() {}, error() {}, success() {} } as never;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const message = (updateId: number, text: string): Update =>
  ({ update_id: updateId, message: { message_id: updateId, date: 0, chat: { id: OWNER, type: "private", first_name: "Owner" }, from: { id: OWNER, is_bot: false, first_name: "Owner" }, text } }) as Update;

describe("a Telegram update", () => {
  test("is one transaction: stored, made a running turn and marked handled, all committed in one commit before the prompt leaves", async () => {
    const telegram = new FakeTelegram({ token: TOKEN, username: "ra_test_bot" });
    const dir = tmpDir("ra-inbound-");
    const path = join(dir.path, "relay.db");
    const db = openDb(path);
    // What the file holds at each commit (read by another connection), and when each fsync is done.
    const reader = new Database(path, { readonly: true });
    const wal = walSync(path);
    let before = -1;
    const commits: { commits: number; handled: unknown; turn: unknown }[] = [];
    const order: string[] = [];
    const sync = (done: (err?: unknown) => void) => {
      const measured = before >= 0;
      if (measured) {
        commits.push({
          commits: walCommits(path) - before,
          handled: reader.query("SELECT handled_at IS NOT NULL AS handled FROM telegram_updates WHERE update_id = 41").get(),
          turn: reader.query("SELECT prompt, status FROM turns").all(),
        });
        order.push("commit");
      }
      wal((err) => {
        if (measured) order.push("on disk");
        done(err);
      });
    };
    const sqlite = createRepo(db, { sync, report: () => {} }); // writes still under way at teardown may find the file closed
    const repo = asyncStore(sqlite);
    const clock = new VirtualClock();
    clock.t = 1_700_000_000_000;
    const bus = new LocalBus<CoreEvent>(() => {});
    const core = createCore({ store: repo, bus, clock, log: silentLog, approvalTimeoutMs: 60_000 });
    await repo.addUser({ telegramId: OWNER, role: "owner", name: "Owner", createdAt: clock.now() });
    const device: Device = { id: "dev1", name: "laptop", ownerId: OWNER, tokenHash: "h", hostname: "box", os: "linux", arch: "x64", osUser: "me", agentVersion: "t", createdAt: clock.now(), lastSeenAt: null };
    await repo.addDevice(device);

    const side = createTelegram({ token: TOKEN, apiRoot: telegram.url, repo, ownerClaim: new OwnerClaim(repo, clock, dir.path), clock, log: silentLog, editIntervalMs: 0, pollTimeoutSeconds: 1 });
    const topics = new Topics(repo, side.messenger, clock, () => false);
    const turnViews = new TurnSurface({ store: repo, messenger: side.messenger, clock, log: silentLog, topics });
    const cards = new ApprovalCards({ store: repo, messenger: side.messenger });
    bus.subscribe(turnViews.handle);
    bus.subscribe(cards.handle);
    side.attach({ core, turnViews, cards, topics });
    await side.start("webhook");
    cleanups.push(() => dir[Symbol.asyncDispose](), () => telegram.stop(), () => reader.close(), () => (sqlite.flush(), db.$client.close()), () => side.stop(), () => turnViews.settled(), () => turnViews.close());

    // The machine: when does its prompt arrive?
    let prompted: () => void = () => {};
    const socket = {
      send: (raw: string) => {
        if ((JSON.parse(raw) as RelayFrame).type !== "prompt") return;
        order.push("prompt");
        prompted();
      },
      close: () => {},
    } as unknown as WSContext;
    const link = durableLink(socket, "127.0.0.1", repo);
    core.hub.attach(device.id, link);
    await core.machines.connected(device, { v: PROTOCOL_VERSION, type: "hello", facts: { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "t" }, sessions: [] });
    await core.machines.ready(device);
    sqlite.flush();
    await repo.committed();

    before = walCommits(path);
    const sent = new Promise<void>((resolve) => (prompted = resolve));
    expect(await side.receive(message(41, "run the tests"))).toBe("new");
    await sent;
    // The first commit after the update holds all of it; the prompt left once that commit was on disk.
    expect(commits[0]).toEqual({ commits: 1, handled: { handled: 1 }, turn: [{ prompt: "run the tests", status: "running" }] });
    expect(order[0]).toBe("commit");
    expect(order.indexOf("prompt")).toBeGreaterThan(order.indexOf("on disk")); // fsyncs finish in commit order
    expect(await side.receive(message(41, "run the tests"))).toBe("duplicate");
  });
});
