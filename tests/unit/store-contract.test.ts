// One contract for every store: the bun:sqlite repo (through asyncStore) and the Postgres repo on a
// real server give the same answers to the same calls, including the writes that must happen at
// most once, ordering, and ids and times beyond 32 bits.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../../src/relay/db/client";
import { openPg, type PgDb } from "../../src/relay/db/pg/client";
import { createPgRepo } from "../../src/relay/db/pg/repo";
import { createPgWebRepo } from "../../src/relay/db/pg/web-repo";
import { createRepo } from "../../src/relay/db/repo";
import { createWebRepo } from "../../src/relay/db/web-repo";
import { asyncStore, asyncWebStore } from "../../src/relay/store/async";
import type { WebStore } from "../../src/relay/store/web";
import type { Approval, Device, Invite, Schedule, Session, Store, Turn } from "../../src/relay/store/types";
import { startPostgres } from "../helpers/real-servers";

type Stores = { store: Store; web: WebStore };

// Telegram ids and millisecond times do not fit 32 bits: every store must keep them exact.
const CHAT = -1_001_234_567_890;
const OWNER = 7_123_456_789;
const T0 = 1_796_000_000_000;

const device = (id: string, at = T0): Device => ({ id, name: id, ownerId: OWNER, tokenHash: `hash-${id}`, hostname: "h", os: "linux", arch: "x64", osUser: "me", agentVersion: "1", createdAt: at, lastSeenAt: null });
const session = (id: string, over: Partial<Session> = {}): Session => ({ id, deviceId: "d1", chatId: CHAT, claudeSessionId: null, cwd: null, mode: "default", lastSeq: -1, number: 1, costUsd: 0, worktree: false, threadId: null, createdAt: T0, closedAt: null, ...over });
const turn = (id: string, sessionId: string, at: number, status: Turn["status"] = "queued"): Turn => ({ id, sessionId, chatId: CHAT, prompt: `prompt ${id}`, status, text: "", messageIds: "[]", tools: "[]", attachments: "[]", files: "[]", origin: "chat", createdAt: at, endedAt: null });
const approval = (id: string, over: Partial<Approval> = {}): Approval => ({ id, requestId: `r-${id}`, sessionId: "s1", turnId: "t1", deviceId: "d1", chatId: CHAT, toolName: "Bash", inputDigest: "x", input: "{}", description: null, status: "pending", awaitingReason: false, messageId: null, createdAt: T0, decidedAt: null, ...over });

function contract(name: string, open: () => Promise<Stores>) {
  describe(`${name} store`, () => {
    let s: Store;
    let web: WebStore;
    beforeAll(async () => {
      ({ store: s, web } = await open());
      await s.addUser({ telegramId: OWNER, role: "owner", name: "Ann", createdAt: T0 });
      await s.addDevice(device("d1"));
      await s.addDevice(device("d2", T0 + 1));
    });

    test("users: added once, counted, listed, removed", async () => {
      await s.addUser({ telegramId: OWNER, role: "user", name: "again", createdAt: T0 + 5 });
      expect(await s.user(OWNER)).toEqual({ telegramId: OWNER, role: "owner", name: "Ann", createdAt: T0 });
      await s.addUser({ telegramId: 42, role: "user", name: "Bob", createdAt: T0 + 1 });
      expect(await s.countUsers()).toBe(2);
      expect((await s.allUsers()).map((u) => u.telegramId)).toEqual([OWNER, 42]);
      expect((await s.owners()).map((u) => u.telegramId)).toEqual([OWNER]);
      await s.deleteUser(42);
      expect(await s.user(42)).toBeUndefined();
    });

    test("invites move on from a status once", async () => {
      const invite: Invite = { id: "i1", secretHash: "sh", invitedBy: OWNER, status: "open", claimedBy: null, claimedName: null, messageId: null, createdAt: T0, expiresAt: T0 + 60_000 };
      await s.addInvite(invite);
      expect(await s.inviteBySecretHash("sh")).toEqual(invite);
      const claims = await Promise.all([s.moveInvite("i1", "open", { status: "claimed", claimedBy: 42 }), s.moveInvite("i1", "open", { status: "claimed", claimedBy: 43 })]);
      expect(claims.sort()).toEqual([false, true]);
      await s.setInviteMessage("i1", 99);
      expect(await s.invite("i1")).toMatchObject({ status: "claimed", messageId: 99 });
    });

    test("groups", async () => {
      expect(await s.groupAllowed(CHAT)).toBe(false);
      await s.allowGroup({ chatId: CHAT, title: "team", enabledBy: OWNER, enabledAt: T0 });
      await s.allowGroup({ chatId: CHAT, title: "again", enabledBy: OWNER, enabledAt: T0 });
      expect(await s.groupAllowed(CHAT)).toBe(true);
      await s.disallowGroup(CHAT);
      expect(await s.groupAllowed(CHAT)).toBe(false);
    });

    test("devices: by id, by token hash, oldest first; a hello's facts keep what they leave out", async () => {
      expect((await s.devicesOf(OWNER)).map((d) => d.id)).toEqual(["d1", "d2"]);
      expect((await s.deviceByTokenHash("hash-d2"))?.id).toBe("d2");
      await s.touchDevice("d1", T0 + 10, { hostname: "new-host" });
      expect(await s.device("d1")).toMatchObject({ hostname: "new-host", os: "linux", lastSeenAt: T0 + 10 });
      await s.touchDevice("d1", T0 + 20);
      expect(await s.device("d1")).toMatchObject({ hostname: "new-host", lastSeenAt: T0 + 20 });
      await s.addDevice(device("gone"));
      await s.deleteDevice("gone");
      expect(await s.device("gone")).toBeUndefined();
      expect((await s.allDevices()).map((d) => d.id)).toEqual(["d1", "d2"]);
      expect(await s.selectedDevice(CHAT)).toBeNull();
      await s.selectDevice(CHAT, "d2");
      await s.selectDevice(CHAT, "d1");
      expect(await s.selectedDevice(CHAT)).toBe("d1");
    });

    test("sessions: the selected open one, else the newest; numbers, cost, topics, summaries", async () => {
      expect(await s.openSession(CHAT, "d1")).toBeUndefined();
      expect(await s.nextSessionNumber(CHAT, "d1")).toBe(1);
      await s.addSession(session("s1"));
      await s.addSession(session("s2", { number: 2, createdAt: T0 + 1 }));
      expect((await s.openSession(CHAT, "d1"))?.id).toBe("s2");
      await s.selectSession(CHAT, "d1", "s1");
      expect((await s.openSession(CHAT, "d1"))?.id).toBe("s1");
      await s.closeSession("s1", T0 + 2);
      expect((await s.openSession(CHAT, "d1"))?.id).toBe("s2");
      expect((await s.openSessionsOfDevice("d1")).map((x) => x.id)).toEqual(["s2"]);
      expect(await s.nextSessionNumber(CHAT, "d1")).toBe(3);
      await s.addSessionCost("s2", 0.25);
      await s.addSessionCost("s2", 0.5);
      await s.setClaudeSession("s2", "claude-1");
      await s.setSessionMode("s2", "plan");
      await s.setLastSeq("s2", 7);
      await s.setLastSeq("s2", 3); // only raised: a late writer (another relay, a failover) never moves it back
      await s.setSessionTopic("s2", 1234);
      expect(await s.session("s2")).toMatchObject({ costUsd: 0.75, claudeSessionId: "claude-1", mode: "plan", lastSeq: 7, threadId: 1234, worktree: false });
      expect((await s.sessionOfTopic(CHAT, 1234))?.id).toBe("s2");
      await s.setTopic(CHAT, "d2", 555, T0);
      expect(await s.topicOf(CHAT, "d2")).toBe(555);
      expect(await s.deviceOfTopic(CHAT, 555)).toBe("d2");
      await s.forgetTopic(CHAT, 1234);
      await s.forgetTopic(CHAT, 555);
      expect(await s.sessionOfTopic(CHAT, 1234)).toBeUndefined();
      expect(await s.topicOf(CHAT, "d2")).toBeUndefined();

      await s.addSession(session("s3", { number: 3, createdAt: T0 + 3 }));
      await s.addTurn(turn("t-s3", "s3", T0 + 4, "running"));
      await s.addTurn(turn("t-s2", "s2", T0 + 5));
      await s.setTurnStatus("t-s2", "done", T0 + 9);
      const summaries = await s.sessionsOf(CHAT, "d1");
      expect(summaries.map((x) => [x.id, x.firstPrompt, x.lastActiveAt, x.state])).toEqual([["s2", "prompt t-s2", T0 + 9, "idle"], ["s3", "prompt t-s3", T0 + 4, "running"]]);
    });

    test("turns: by status in order, answers in pieces, the last ones oldest first", async () => {
      await s.addSession(session("s4", { number: 4 }));
      for (const [i, id] of ["a", "b", "c"].entries()) await s.addTurn(turn(id, "s4", T0 + 100 + i));
      await s.setTurnStatus("a", "running");
      expect((await s.turnsOfSession("s4", ["queued"])).map((t) => t.id)).toEqual(["b", "c"]);
      expect((await s.turnsOfSession("s4", ["queued", "running"])).map((t) => t.id)).toEqual(["a", "b", "c"]);
      await s.appendTurnText("a", "Hello, ");
      await s.appendTurnText("a", "world.");
      expect(await s.turnText("a")).toBe("Hello, world.");
      expect(await s.turnText("b")).toBe("");
      await s.setTurnTools("a", '["Bash"]');
      await s.setTurnFiles("a", '["x.ts"]');
      await s.setTurnMessages("a", [3_000_000_001, 2]);
      expect(await s.turn("a")).toMatchObject({ tools: '["Bash"]', files: '["x.ts"]', messageIds: "[3000000001,2]", status: "running", endedAt: null });
      expect((await s.lastTurns("s4", 2)).map((t) => t.id)).toEqual(["b", "c"]);
    });

    test("claimTurn: the oldest waiting turn, never while one runs, never twice", async () => {
      await s.addSession(session("s5", { number: 5 }));
      expect(await s.claimTurn("s5")).toBeUndefined();
      await s.addTurn(turn("late", "s5", T0 + 300));
      await s.addTurn(turn("early", "s5", T0 + 200));
      expect(await s.claimTurn("s5")).toMatchObject({ id: "early", status: "running", prompt: "prompt early", createdAt: T0 + 200 });
      expect(await s.claimTurn("s5")).toBeUndefined();
      await s.setTurnStatus("early", "done", T0 + 400);
      expect(await s.turn("early")).toMatchObject({ status: "done", endedAt: T0 + 400 });
      expect((await s.claimTurn("s5"))?.id).toBe("late");
      expect((await s.turnsOfSession("s5", ["running"])).map((t) => t.id)).toEqual(["late"]);
      expect((await s.turnsOfSession("s5", ["queued"]))).toEqual([]);
    });

    test("schedules, soonest first", async () => {
      const schedule = (id: string, nextAt: number): Schedule => ({ id, chatId: CHAT, deviceId: "d1", userId: OWNER, prompt: "p", when: "{}", timeZone: "UTC", cwd: null, missed: "run", nextAt, lastRunAt: null, createdAt: T0 });
      await s.addSchedule(schedule("late", T0 + 2000));
      await s.addSchedule(schedule("soon", T0 + 1000));
      expect((await s.allSchedules()).map((x) => x.id)).toEqual(["soon", "late"]);
      await s.setScheduleNext("soon", T0 + 3000, T0 + 1000);
      await s.setScheduleMissed("soon", "skip");
      expect(await s.schedule("soon")).toMatchObject({ nextAt: T0 + 3000, lastRunAt: T0 + 1000, missed: "skip" });
      expect((await s.schedulesOfChat(CHAT)).map((x) => x.id)).toEqual(["late", "soon"]);
      await s.deleteSchedule("late");
      expect(await s.schedule("late")).toBeUndefined();
    });

    test("approvals are decided once; the one awaiting a reason is found by chat", async () => {
      await s.addApproval(approval("a1"));
      await s.addApproval(approval("a2", { createdAt: T0 + 1, requestId: "r-2" }));
      expect((await s.pendingApprovals()).map((a) => a.id)).toEqual(["a1", "a2"]);
      await s.setAwaitingReason("a2", true);
      expect((await s.awaitingReason(CHAT))?.id).toBe("a2");
      const decisions = await Promise.all([s.decideApproval("a2", "denied", T0 + 5), s.decideApproval("a2", "allowed", T0 + 6)]);
      expect(decisions.sort()).toEqual([false, true]);
      expect(await s.approval("a2")).toMatchObject({ awaitingReason: false, decidedAt: expect.any(Number) });
      expect(await s.awaitingReason(CHAT)).toBeUndefined();
      await s.setApprovalMessage("a1", 77);
      expect((await s.approvalByRequest("s1", "r-a1"))?.messageId).toBe(77);
      for (const [i, deviceId] of ["d1", "d2", "d1"].entries()) {
        await s.addAudit({ at: T0 + i, userId: OWNER, deviceId, sessionId: "s1", toolName: "Bash", inputDigest: "x", answer: "allow", latencyMs: i, approvalId: `a${i}` });
      }
      expect((await s.lastAudit(10)).map((r) => r.latencyMs)).toEqual([2, 1, 0]);
      expect((await s.lastAudit(10, ["d2"])).map((r) => r.latencyMs)).toEqual([1]);
    });

    test("Telegram updates: stored once, handled, pruned and trimmed", async () => {
      expect(await Promise.all([s.receiveUpdate(1, "{}", T0), s.receiveUpdate(1, "{}", T0)])).toEqual(expect.arrayContaining([true, false]));
      for (const id of [2, 3, 4]) await s.receiveUpdate(id, `{"n":${id}}`, T0 + id);
      await s.markUpdateHandled(1, T0 + 10);
      await s.markUpdateHandled(2, T0 + 10);
      await s.markUpdateHandled(3, T0 + 10);
      expect(await s.updateHandled(1)).toBe(true);
      expect(await s.updateHandled(4)).toBe(false);
      expect((await s.unhandledUpdates()).map((u) => u.updateId)).toEqual([4]);
      await s.trimUpdates(2);
      expect(await s.countUpdates()).toBe(3);
      await s.pruneUpdates(T0 + 3);
      expect((await s.unhandledUpdates()).map((u) => u.updateId)).toEqual([4]);
      expect(await s.countUpdates()).toBe(2);
    });

    test("settings", async () => {
      expect(await s.get("k")).toBeUndefined();
      await s.set("k", "1");
      await s.set("k", "2");
      expect(await s.get("k")).toBe("2");
      await s.del("k");
      expect(await s.get("k")).toBeUndefined();
      await s.committed();
    });

    test("web logins are used once; browser sessions are revoked once", async () => {
      await web.addLogin({ id: "l1", secretHash: "lh", userId: OWNER, kind: "code", createdAt: T0, expiresAt: T0 + 1000 });
      expect((await web.loginBySecretHash("lh"))?.id).toBe("l1");
      expect((await Promise.all([web.useLogin("l1", T0 + 1), web.useLogin("l1", T0 + 2)])).sort()).toEqual([false, true]);
      await web.pruneLogins(T0 + 2000);
      expect(await web.loginBySecretHash("lh")).toBeUndefined();
      for (const [i, id] of ["w1", "w2"].entries()) await web.addSession({ id, secretHash: `h${id}`, userId: OWNER, userAgent: "ua", ip: "::1", createdAt: T0 + i, lastSeenAt: T0 + i });
      await web.touchSession("w1", T0 + 50);
      expect(await web.webSession("w1")).toMatchObject({ lastSeenAt: T0 + 50, revokedAt: null });
      expect((await web.liveSessionsOf(OWNER)).map((x) => x.id)).toEqual(["w2", "w1"]);
      expect(await web.revokeSession("w2", T0 + 60)).toBe(true);
      expect(await web.revokeSession("w2", T0 + 61)).toBe(false);
      expect(await web.revokeSessionsOf(OWNER, T0 + 70)).toEqual(["w1"]);
      expect((await web.sessionBySecretHash("hw1"))?.revokedAt).toBe(T0 + 70);
    });
  });
}

const dirs: string[] = [];
contract("bun:sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ra-contract-"));
  dirs.push(dir);
  const db = openDb(join(dir, "relay.db"));
  return { store: asyncStore(createRepo(db)), web: asyncWebStore(createWebRepo(db)) };
});

let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
let pgDb: PgDb | undefined;
contract("Postgres", async () => {
  pg = await startPostgres();
  pgDb = await openPg(await pg.createDatabase("contract"));
  return { store: createPgRepo(pgDb), web: createPgWebRepo(pgDb) };
});

afterAll(async () => {
  await pgDb?.$client.close();
  await pg?.[Symbol.asyncDispose]();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
