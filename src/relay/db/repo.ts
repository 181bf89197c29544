import { and, asc, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { GroupCommit, type Defer, type Sync } from "./group-commit";
import { newestSession, oldestFirst } from "./in-order";
import { preparedInsert, preparedOnUse } from "./prepared-on-use";
import { walSync } from "./wal-sync";
import { allowedGroups, approvals, audit, chats, devices, deviceTopics, invites, kv, schedules, selectedSessions, sessions, telegramUpdates, turns, turnText, users } from "./schema";

export type { Approval, ApprovalStatus, AuditRow, Device, Invite, Session, Turn, TurnStatus, User } from "../store/types";
import type { ApprovalStatus, Invite, Session, SessionSummary, SyncStore, TurnStatus } from "../store/types";
export type RepoOptions = {
  /** Where a failed commit is reported (the writes of that batch are rolled back and nothing of it is acknowledged). */
  report?: (err: unknown) => void;
  /** When a batch commits: by default once the current turn of the event loop is over. */
  defer?: Defer;
  /** What makes a commit durable: by default an fdatasync of the log off the event loop. */
  sync?: Sync;
};

/** Every query the relay makes; no SQL lives anywhere else. */
export function createRepo(db: Db, options: RepoOptions = {}): SqliteStore {
  const batch = new GroupCommit(db.$client, options.report ?? ((err) => console.error(`ra: a database commit failed: ${(err as Error)?.message ?? err}`)), options.defer, options.sync ?? walSync(db.$client.filename));
  // What every agent frame and reconnect asks, prepared once, on first use (else: a third of a reconnect storm's time).
  const id = sql.placeholder("id");
  const hot = preparedOnUse({
    device: () => db.select().from(devices).where(eq(devices.id, id)).prepare(),
    deviceByTokenHash: () => db.select().from(devices).where(eq(devices.tokenHash, sql.placeholder("hash"))).prepare(),
    touch: () => db.update(devices).set({ lastSeenAt: sql`${sql.placeholder("at")}` }).where(eq(devices.id, id)).prepare(),
    // A hello's facts (a fact left out keeps its stored value).
    touchWithFacts: () => db.update(devices).set({
      lastSeenAt: sql`${sql.placeholder("at")}`,
      hostname: sql`coalesce(${sql.placeholder("hostname")}, ${devices.hostname})`,
      os: sql`coalesce(${sql.placeholder("os")}, ${devices.os})`,
      arch: sql`coalesce(${sql.placeholder("arch")}, ${devices.arch})`,
      osUser: sql`coalesce(${sql.placeholder("osUser")}, ${devices.osUser})`,
      agentVersion: sql`coalesce(${sql.placeholder("agentVersion")}, ${devices.agentVersion})`,
    }).where(eq(devices.id, id)).prepare(),
    setClaudeSession: () => db.update(sessions).set({ claudeSessionId: sql`${sql.placeholder("claude")}` }).where(eq(sessions.id, id)).prepare(),
    turnTextBefore: () => db.select({ text: turns.text }).from(turns).where(eq(turns.id, id)).prepare(),
    turnTextPieces: () => db.select({ id: turnText.id, text: turnText.text }).from(turnText).where(eq(turnText.turnId, id)).prepare(),
    session: () => db.select().from(sessions).where(eq(sessions.id, id)).prepare(),
    openSessionsOfDevice: () => db.select().from(sessions).where(and(eq(sessions.deviceId, id), isNull(sessions.closedAt))).prepare(),
    setLastSeq: () => db.update(sessions).set({ lastSeq: sql`${sql.placeholder("seq")}` }).where(and(eq(sessions.id, id), lt(sessions.lastSeq, sql.placeholder("seq")))).prepare(),
    turn: () => db.select().from(turns).where(eq(turns.id, id)).prepare(),
    appendTurnText: () => db.insert(turnText).values({ turnId: sql.placeholder("id"), text: sql.placeholder("text") }).prepare(),
    // …and the ones every Telegram update makes.
    user: () => db.select().from(users).where(eq(users.telegramId, id)).prepare(),
    selectedDevice: () => db.select().from(chats).where(eq(chats.chatId, id)).prepare(),
    selectedSession: () => db.select({ id: selectedSessions.sessionId }).from(selectedSessions).where(and(eq(selectedSessions.chatId, sql.placeholder("chatId")), eq(selectedSessions.deviceId, sql.placeholder("deviceId")))).prepare(),
    openSessionsOf: () => db.select().from(sessions).where(and(eq(sessions.chatId, sql.placeholder("chatId")), eq(sessions.deviceId, sql.placeholder("deviceId")), isNull(sessions.closedAt))).prepare(),
    runningTurn: () => db.select({ id: turns.id }).from(turns).where(and(eq(turns.sessionId, id), eq(turns.status, "running"))).prepare(),
    setTurnStatus: () => db.update(turns).set({ status: sql`${sql.placeholder("status")}` }).where(eq(turns.id, id)).prepare(),
    endTurn: () => db.update(turns).set({ status: sql`${sql.placeholder("status")}`, endedAt: sql`${sql.placeholder("at")}` }).where(eq(turns.id, id)).prepare(),
    receiveUpdate: () => db.insert(telegramUpdates).values({ updateId: id, body: sql.placeholder("body"), receivedAt: sql.placeholder("at") }).onConflictDoNothing().returning({ id: telegramUpdates.updateId }).prepare(),
    updateHandled: () => db.select({ at: telegramUpdates.handledAt }).from(telegramUpdates).where(eq(telegramUpdates.updateId, id)).prepare(),
    pendingApprovals: () => db.select().from(approvals).where(eq(approvals.status, "pending")).orderBy(asc(approvals.createdAt)).prepare(),
    allDevices: () => db.select().from(devices).orderBy(asc(devices.createdAt)).prepare(),
    devicesOf: () => db.select().from(devices).where(eq(devices.ownerId, id)).orderBy(asc(devices.createdAt)).prepare(),
    awaitingReason: () => db.select().from(approvals).where(and(eq(approvals.chatId, id), eq(approvals.status, "pending"), eq(approvals.awaitingReason, true))).prepare(),
    topicOf: () => db.select().from(deviceTopics).where(and(eq(deviceTopics.chatId, sql.placeholder("chatId")), eq(deviceTopics.deviceId, sql.placeholder("deviceId")))).prepare(),
    deviceOfTopic: () => db.select().from(deviceTopics).where(and(eq(deviceTopics.chatId, sql.placeholder("chatId")), eq(deviceTopics.threadId, sql.placeholder("threadId")))).prepare(),
    markUpdateHandled: () => db.update(telegramUpdates).set({ handledAt: sql`${sql.placeholder("at")}` }).where(eq(telegramUpdates.updateId, id)).prepare(),
  });
  /** turnsOfSession is asked with a few fixed status lists: one prepared query per list. */
  const turnsByStatus = new Map<string, ReturnType<typeof prepareTurnsOfSession>>();
  const prepareTurnsOfSession = (statuses: TurnStatus[]) =>
    db.select().from(turns).where(and(eq(turns.sessionId, id), inArray(turns.status, statuses))).prepare();
  const store = {
    db,
    transaction: <T>(fn: () => T): T => batch.atomic(fn),
    afterCommit: (committed: () => void, failed?: (err: unknown) => void) => batch.afterCommit(committed, failed),
    committed: () => batch.committed(),
    flush: () => batch.flush(),

    // users
    user: (telegramId: number) => hot.user.get({ id: telegramId }),
    owners: () => db.select().from(users).where(eq(users.role, "owner")).all(),
    addUser: (u: typeof users.$inferInsert) => db.insert(users).values(u).onConflictDoNothing().run(),
    countUsers: () => db.select({ n: sql<number>`count(*)` }).from(users).get()?.n ?? 0,
    allUsers: () => db.select().from(users).orderBy(asc(users.createdAt)).all(),
    deleteUser: (telegramId: number) => db.delete(users).where(eq(users.telegramId, telegramId)).run(),

    // invites
    invite: (id: string) => db.select().from(invites).where(eq(invites.id, id)).get(),
    inviteBySecretHash: (hash: string) => db.select().from(invites).where(eq(invites.secretHash, hash)).get(),
    addInvite: (i: typeof invites.$inferInsert) => db.insert(invites).values(i).run(),
    setInviteMessage: (id: string, messageId: number) => db.update(invites).set({ messageId }).where(eq(invites.id, id)).run(),
    /** Moves an invite on from `from`; false when someone else got there first (single use). */
    moveInvite: (id: string, from: Invite["status"], set: Partial<typeof invites.$inferInsert>) =>
      db.update(invites).set(set).where(and(eq(invites.id, id), eq(invites.status, from))).returning({ id: invites.id }).all().length === 1,

    // groups
    groupAllowed: (chatId: number) => db.select().from(allowedGroups).where(eq(allowedGroups.chatId, chatId)).get() !== undefined,
    allowGroup: (g: typeof allowedGroups.$inferInsert) => db.insert(allowedGroups).values(g).onConflictDoNothing().run(),
    disallowGroup: (chatId: number) => db.delete(allowedGroups).where(eq(allowedGroups.chatId, chatId)).run(),

    // devices
    device: (id: string) => hot.device.get({ id }),
    deviceByTokenHash: (hash: string) => hot.deviceByTokenHash.get({ hash }),
    devicesOf: (ownerId: number) => hot.devicesOf.all({ id: ownerId }),
    allDevices: () => hot.allDevices.all(),
    addDevice: (d: typeof devices.$inferInsert) => db.insert(devices).values(d).run(),
    deleteDevice: (id: string) => db.delete(devices).where(eq(devices.id, id)).run(),
    touchDevice: (id: string, at: number, facts?: Pick<Partial<typeof devices.$inferInsert>, "hostname" | "os" | "arch" | "osUser" | "agentVersion">) =>
      facts
        ? hot.touchWithFacts.run({ id, at, hostname: facts.hostname ?? null, os: facts.os ?? null, arch: facts.arch ?? null, osUser: facts.osUser ?? null, agentVersion: facts.agentVersion ?? null })
        : hot.touch.run({ id, at }),

    // chats
    selectedDevice: (chatId: number) => hot.selectedDevice.get({ id: chatId })?.selectedDeviceId ?? null,
    selectDevice: (chatId: number, deviceId: string | null) =>
      db.insert(chats).values({ chatId, selectedDeviceId: deviceId }).onConflictDoUpdate({ target: chats.chatId, set: { selectedDeviceId: deviceId } }).run(),

    // sessions
    session: (id: string) => hot.session.get({ id }),
    openSession: (chatId: number, deviceId: string) => { // the selected one while it is open, else the newest open one
      const selected = hot.selectedSession.get({ chatId, deviceId });
      const session = selected && hot.session.get({ id: selected.id });
      return session && session.chatId === chatId && session.deviceId === deviceId && !session.closedAt ? session : newestSession(hot.openSessionsOf.all({ chatId, deviceId }));
    },
    openSessionsOfDevice: (deviceId: string) => hot.openSessionsOfDevice.all({ id: deviceId }),
    addSession: (s: typeof sessions.$inferInsert) => db.insert(sessions).values(s).run(),
    closeSession: (id: string, at: number) => db.update(sessions).set({ closedAt: at }).where(eq(sessions.id, id)).run(),
    setClaudeSession: (id: string, claudeSessionId: string) => hot.setClaudeSession.run({ id, claude: claudeSessionId }),
    setSessionMode: (id: string, mode: Session["mode"]) => db.update(sessions).set({ mode }).where(eq(sessions.id, id)).run(),
    setLastSeq: (id: string, seq: number) => hot.setLastSeq.run({ id, seq }),
    selectSession: (chatId: number, deviceId: string, sessionId: string) =>
      db.insert(selectedSessions).values({ chatId, deviceId, sessionId }).onConflictDoUpdate({ target: [selectedSessions.chatId, selectedSessions.deviceId], set: { sessionId } }).run(),
    nextSessionNumber: (chatId: number, deviceId: string) =>
      (db.select({ n: sql<number | null>`max(${sessions.number})` }).from(sessions).where(and(eq(sessions.chatId, chatId), eq(sessions.deviceId, deviceId))).get()?.n ?? 0) + 1,
    addSessionCost: (id: string, usd: number) => db.update(sessions).set({ costUsd: sql`${sessions.costUsd} + ${usd}` }).where(eq(sessions.id, id)).run(),
    sessionsOf: (chatId: number, deviceId: string): SessionSummary[] =>
      db.select({
        session: sessions,
        firstPrompt: sql<string | null>`(SELECT t.prompt FROM turns t WHERE t.session_id = sessions.id ORDER BY t.created_at LIMIT 1)`,
        lastActiveAt: sql<number>`coalesce((SELECT max(coalesce(t.ended_at, t.created_at)) FROM turns t WHERE t.session_id = sessions.id), sessions.created_at)`,
        running: sql<number>`(SELECT count(*) FROM turns t WHERE t.session_id = sessions.id AND t.status = 'running')`,
        approvals: sql<number>`(SELECT count(*) FROM approvals a WHERE a.session_id = sessions.id AND a.status = 'pending')`,
      }).from(sessions)
        .where(and(eq(sessions.chatId, chatId), eq(sessions.deviceId, deviceId), isNull(sessions.closedAt)))
        .all()
        .map((r) => ({ ...r.session, firstPrompt: r.firstPrompt, lastActiveAt: r.lastActiveAt, state: r.approvals > 0 ? "approval" : r.running > 0 ? "running" : "idle" } satisfies SessionSummary))
        .sort((a, b) => b.lastActiveAt - a.lastActiveAt || b.number - a.number),

    // turns
    turn: (id: string) => hot.turn.get({ id }),
    addTurn: preparedInsert(db, turns),
    turnsOfSession: (sessionId: string, statuses: TurnStatus[]) => {
      const key = statuses.join(",");
      const query = turnsByStatus.get(key) ?? turnsByStatus.set(key, prepareTurnsOfSession(statuses)).get(key)!;
      return oldestFirst(query.all({ id: sessionId }));
    },
    claimTurn: (sessionId: string) => { // inside the open write batch: no other writer comes between the read and the mark
      const next = hot.runningTurn.get({ id: sessionId }) ? undefined : store.turnsOfSession(sessionId, ["queued"])[0];
      return next && (hot.setTurnStatus.run({ id: next.id, status: "running" }), { ...next, status: "running" as const });
    },
    setTurnStatus: (id: string, status: TurnStatus, endedAt?: number) =>
      void (endedAt ? hot.endTurn.run({ id, status, at: endedAt }) : hot.setTurnStatus.run({ id, status })),
    appendTurnText: (id: string, text: string) => hot.appendTurnText.run({ id, text }),
    lastTurns: (sessionId: string, limit: number) =>
      db.select().from(turns).where(eq(turns.sessionId, sessionId)).orderBy(desc(turns.createdAt), desc(turns.id)).limit(limit).all().reverse(),
    turnText: (id: string) => (hot.turnTextBefore.get({ id })?.text ?? "") + hot.turnTextPieces.all({ id }).sort((a, b) => a.id - b.id).map((r) => r.text).join(""),
    // topics
    topicOf: (chatId: number, deviceId: string) => hot.topicOf.get({ chatId, deviceId })?.threadId,
    deviceOfTopic: (chatId: number, threadId: number) => hot.deviceOfTopic.get({ chatId, threadId })?.deviceId,
    setTopic: (chatId: number, deviceId: string, threadId: number, at: number) =>
      db.insert(deviceTopics).values({ chatId, deviceId, threadId, createdAt: at }).onConflictDoUpdate({ target: [deviceTopics.chatId, deviceTopics.deviceId], set: { threadId, createdAt: at } }).run(),
    forgetTopic: (chatId: number, threadId: number) => {
      db.delete(deviceTopics).where(and(eq(deviceTopics.chatId, chatId), eq(deviceTopics.threadId, threadId))).run();
      db.update(sessions).set({ threadId: null }).where(and(eq(sessions.chatId, chatId), eq(sessions.threadId, threadId))).run();
    },
    sessionOfTopic: (chatId: number, threadId: number) =>
      db.select().from(sessions).where(and(eq(sessions.chatId, chatId), eq(sessions.threadId, threadId), isNull(sessions.closedAt))).get(),
    setSessionTopic: (id: string, threadId: number | null) => db.update(sessions).set({ threadId }).where(eq(sessions.id, id)).run(),
    setTurnTools: (id: string, toolsJson: string) => db.update(turns).set({ tools: toolsJson }).where(eq(turns.id, id)).run(),
    setTurnFiles: (id: string, filesJson: string) => db.update(turns).set({ files: filesJson }).where(eq(turns.id, id)).run(),

    // schedules
    schedule: (id: string) => db.select().from(schedules).where(eq(schedules.id, id)).get(),
    schedulesOfChat: (chatId: number) => db.select().from(schedules).where(eq(schedules.chatId, chatId)).orderBy(asc(schedules.nextAt)).all(),
    allSchedules: () => db.select().from(schedules).orderBy(asc(schedules.nextAt)).all(),
    addSchedule: (row: typeof schedules.$inferInsert) => db.insert(schedules).values(row).run(),
    setScheduleNext: (id: string, nextAt: number, lastRunAt: number) => db.update(schedules).set({ nextAt, lastRunAt }).where(eq(schedules.id, id)).run(),
    setScheduleMissed: (id: string, missed: "run" | "skip") => db.update(schedules).set({ missed }).where(eq(schedules.id, id)).run(),
    deleteSchedule: (id: string) => db.delete(schedules).where(eq(schedules.id, id)).run(),
    setTurnMessages: (id: string, messageIds: number[]) =>
      db.update(turns).set({ messageIds: JSON.stringify(messageIds) }).where(eq(turns.id, id)).run(),

    // approvals
    approval: (id: string) => db.select().from(approvals).where(eq(approvals.id, id)).get(),
    approvalByRequest: (sessionId: string, requestId: string) =>
      db.select().from(approvals).where(and(eq(approvals.sessionId, sessionId), eq(approvals.requestId, requestId))).get(),
    addApproval: (a: typeof approvals.$inferInsert) => db.insert(approvals).values(a).run(),
    pendingApprovals: () => hot.pendingApprovals.all(),
    /** Moves a pending approval to its final status; false when it was already decided (first decision wins). */
    decideApproval: (id: string, status: Exclude<ApprovalStatus, "pending">, at: number) =>
      db.update(approvals).set({ status, decidedAt: at, awaitingReason: false })
        .where(and(eq(approvals.id, id), eq(approvals.status, "pending"))).returning({ id: approvals.id }).all().length === 1,
    setApprovalMessage: (id: string, messageId: number) => db.update(approvals).set({ messageId }).where(eq(approvals.id, id)).run(),
    setAwaitingReason: (id: string, awaiting: boolean) => db.update(approvals).set({ awaitingReason: awaiting }).where(eq(approvals.id, id)).run(),
    awaitingReason: (chatId: number) => hot.awaitingReason.get({ id: chatId }),
    addAudit: (row: typeof audit.$inferInsert) => db.insert(audit).values(row).run(),
    lastAudit: (limit: number, deviceIds?: string[]) =>
      db.select().from(audit).where(deviceIds ? inArray(audit.deviceId, deviceIds) : undefined).orderBy(desc(audit.id)).limit(limit).all(),

    // telegram inbox
    /** Stores an update once; false when it was already stored. */
    receiveUpdate: (updateId: number, body: string, at: number) => hot.receiveUpdate.all({ id: updateId, body, at }).length === 1,
    updateHandled: (updateId: number) => hot.updateHandled.get({ id: updateId })?.at != null,
    markUpdateHandled: (updateId: number, at: number) => hot.markUpdateHandled.run({ id: updateId, at }),
    unhandledUpdates: () => db.select().from(telegramUpdates).where(isNull(telegramUpdates.handledAt)).orderBy(asc(telegramUpdates.updateId)).all(),
    pruneUpdates: (before: number) => db.delete(telegramUpdates).where(and(sql`${telegramUpdates.handledAt} IS NOT NULL`, sql`${telegramUpdates.receivedAt} < ${before}`)).run(),
    trimUpdates: (keep: number) => {
      const edge = db.select({ id: telegramUpdates.updateId }).from(telegramUpdates).where(sql`${telegramUpdates.handledAt} IS NOT NULL`).orderBy(desc(telegramUpdates.updateId)).limit(1).offset(keep).get();
      if (edge) db.delete(telegramUpdates).where(and(sql`${telegramUpdates.handledAt} IS NOT NULL`, sql`${telegramUpdates.updateId} <= ${edge.id}`)).run();
    },
    countUpdates: () => db.select({ n: sql<number>`count(*)` }).from(telegramUpdates).get()?.n ?? 0,

    // kv
    get: (key: string) => db.select().from(kv).where(eq(kv.key, key)).get()?.value,
    set: (key: string, value: string) =>
      db.insert(kv).values({ key, value }).onConflictDoUpdate({ target: kv.key, set: { value } }).run(),
    del: (key: string) => db.delete(kv).where(eq(kv.key, key)).run(),
  };
  // Every write joins the batch of the current turn of the event loop (one commit, one fsync, for all of them).
  for (const name of WRITES) {
    const write = store[name] as (...args: unknown[]) => unknown;
    (store as Record<string, unknown>)[name] = (...args: unknown[]) => batch.write(() => write(...args));
  }
  return store satisfies SqliteStore;
}

/** The Store methods that write (the others only read). */
export const WRITES = [
  "addUser", "deleteUser", "addInvite", "setInviteMessage", "moveInvite", "allowGroup", "disallowGroup",
  "addDevice", "deleteDevice", "touchDevice", "selectDevice", "addSession", "closeSession", "setClaudeSession",
  "setSessionMode", "setLastSeq", "addTurn", "setTurnStatus", "appendTurnText", "setTurnTools", "setTurnMessages",
  "setTopic", "forgetTopic", "addApproval", "decideApproval", "setApprovalMessage", "setAwaitingReason", "addAudit",
  "receiveUpdate", "markUpdateHandled", "pruneUpdates", "trimUpdates", "set", "del", "setTurnFiles", "addSchedule",
  "setScheduleNext", "setScheduleMissed", "deleteSchedule", "selectSession", "addSessionCost", "setSessionTopic", "claimTurn",
] as const satisfies readonly (keyof SyncStore)[];

/**
 * The bun:sqlite store; `db` is there for the few places that need the raw database (tests,
 * shutdown); `flush` commits the open batch at once (before closing the database).
 */
export type SqliteStore = SyncStore & { db: Db; flush(): void };
export type Repo = SqliteStore;
