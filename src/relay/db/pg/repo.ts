import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Store } from "../../store/types";
import type { Invite } from "../../store/types";
import type { PgDb } from "./client";
import { conversationQueries } from "./repo-conversations";
import { allowedGroups, approvals, audit, chats, devices, deviceTopics, invites, kv, sessions, telegramUpdates, users } from "./schema";
import { PendingWrites } from "./writes";
import { first, int } from "./rows";

const count = int(sql`count(*)`);

/**
 * Every query the relay makes, on Postgres (ra serve --database postgres://…): the same answers
 * as relay/db/repo.ts gives from sqlite, each statement committed on its own. What must happen at
 * most once is one conditional statement whose row count says whether it happened.
 */
export function createPgRepo(db: PgDb): Store {
  const writes = new PendingWrites();
  const write = (query: PromiseLike<unknown>) => writes.done(query);
  /** A conditional write: true when it changed a row (nobody got there first). */
  const changed = (query: PromiseLike<unknown[]>) => writes.track(query).then((rows) => rows.length === 1);
  return {
    committed: () => writes.settled(),
    afterCommit: (committed, failed = () => {}) => (writes.idle ? committed() : void writes.settled().then(committed, failed)),

    // users
    user: async (telegramId) => first(await db.select().from(users).where(eq(users.telegramId, telegramId)).limit(1)),
    owners: () => db.select().from(users).where(eq(users.role, "owner")),
    addUser: (u) => write(db.insert(users).values(u).onConflictDoNothing()),
    countUsers: async () => (await db.select({ n: count }).from(users))[0]?.n ?? 0,
    allUsers: () => db.select().from(users).orderBy(asc(users.createdAt)),
    deleteUser: (telegramId) => write(db.delete(users).where(eq(users.telegramId, telegramId))),

    // invites
    invite: async (id) => first(await db.select().from(invites).where(eq(invites.id, id)).limit(1)),
    inviteBySecretHash: async (hash) => first(await db.select().from(invites).where(eq(invites.secretHash, hash)).limit(1)),
    addInvite: (i) => write(db.insert(invites).values(i)),
    setInviteMessage: (id, messageId) => write(db.update(invites).set({ messageId }).where(eq(invites.id, id))),
    moveInvite: (id, from: Invite["status"], set) =>
      changed(db.update(invites).set(set).where(and(eq(invites.id, id), eq(invites.status, from))).returning({ id: invites.id })),

    // groups
    groupAllowed: async (chatId) => (await db.select({ chatId: allowedGroups.chatId }).from(allowedGroups).where(eq(allowedGroups.chatId, chatId)).limit(1)).length === 1,
    allowGroup: (g) => write(db.insert(allowedGroups).values(g).onConflictDoNothing()),
    disallowGroup: (chatId) => write(db.delete(allowedGroups).where(eq(allowedGroups.chatId, chatId))),

    // devices
    device: async (id) => first(await db.select().from(devices).where(eq(devices.id, id)).limit(1)),
    deviceByTokenHash: async (hash) => first(await db.select().from(devices).where(eq(devices.tokenHash, hash)).limit(1)),
    devicesOf: (ownerId) => db.select().from(devices).where(eq(devices.ownerId, ownerId)).orderBy(asc(devices.createdAt)),
    allDevices: () => db.select().from(devices).orderBy(asc(devices.createdAt)),
    addDevice: (d) => write(db.insert(devices).values(d)),
    deleteDevice: (id) => write(db.delete(devices).where(eq(devices.id, id))),
    // A fact left out keeps its stored value.
    touchDevice: (id, at, facts = {}) => write(db.update(devices).set({ lastSeenAt: at, ...definedOnly(facts) }).where(eq(devices.id, id))),

    // chats
    selectedDevice: async (chatId) => (await db.select().from(chats).where(eq(chats.chatId, chatId)).limit(1))[0]?.selectedDeviceId ?? null,
    selectDevice: (chatId, deviceId) =>
      write(db.insert(chats).values({ chatId, selectedDeviceId: deviceId }).onConflictDoUpdate({ target: chats.chatId, set: { selectedDeviceId: deviceId } })),

    ...conversationQueries(db, writes),

    // topics
    topicOf: async (chatId, deviceId) => first(await db.select().from(deviceTopics).where(and(eq(deviceTopics.chatId, chatId), eq(deviceTopics.deviceId, deviceId))).limit(1))?.threadId,
    deviceOfTopic: async (chatId, threadId) => first(await db.select().from(deviceTopics).where(and(eq(deviceTopics.chatId, chatId), eq(deviceTopics.threadId, threadId))).limit(1))?.deviceId,
    setTopic: (chatId, deviceId, threadId, at) =>
      write(db.insert(deviceTopics).values({ chatId, deviceId, threadId, createdAt: at }).onConflictDoUpdate({ target: [deviceTopics.chatId, deviceTopics.deviceId], set: { threadId, createdAt: at } })),
    forgetTopic: (chatId, threadId) => write(Promise.all([
      db.delete(deviceTopics).where(and(eq(deviceTopics.chatId, chatId), eq(deviceTopics.threadId, threadId))),
      db.update(sessions).set({ threadId: null }).where(and(eq(sessions.chatId, chatId), eq(sessions.threadId, threadId))),
    ])),

    // approvals
    approval: async (id) => first(await db.select().from(approvals).where(eq(approvals.id, id)).limit(1)),
    approvalByRequest: async (sessionId, requestId) => first(await db.select().from(approvals).where(and(eq(approvals.sessionId, sessionId), eq(approvals.requestId, requestId))).limit(1)),
    addApproval: (a) => write(db.insert(approvals).values(a)),
    pendingApprovals: () => db.select().from(approvals).where(eq(approvals.status, "pending")).orderBy(asc(approvals.createdAt)),
    decideApproval: (id, status, at) =>
      changed(db.update(approvals).set({ status, decidedAt: at, awaitingReason: false }).where(and(eq(approvals.id, id), eq(approvals.status, "pending"))).returning({ id: approvals.id })),
    setApprovalMessage: (id, messageId) => write(db.update(approvals).set({ messageId }).where(eq(approvals.id, id))),
    setAwaitingReason: (id, awaiting) => write(db.update(approvals).set({ awaitingReason: awaiting }).where(eq(approvals.id, id))),
    awaitingReason: async (chatId) =>
      first(await db.select().from(approvals).where(and(eq(approvals.chatId, chatId), eq(approvals.status, "pending"), eq(approvals.awaitingReason, true))).limit(1)),
    addAudit: (row) => write(db.insert(audit).values(row)),
    lastAudit: (limit, deviceIds) => db.select().from(audit).where(deviceIds ? inArray(audit.deviceId, deviceIds) : undefined).orderBy(desc(audit.id)).limit(limit),

    // telegram inbox
    receiveUpdate: (updateId, body, at) =>
      changed(db.insert(telegramUpdates).values({ updateId, body, receivedAt: at }).onConflictDoNothing().returning({ id: telegramUpdates.updateId })),
    updateHandled: async (updateId) => first(await db.select({ at: telegramUpdates.handledAt }).from(telegramUpdates).where(eq(telegramUpdates.updateId, updateId)).limit(1))?.at != null,
    markUpdateHandled: (updateId, at) => write(db.update(telegramUpdates).set({ handledAt: at }).where(eq(telegramUpdates.updateId, updateId))),
    unhandledUpdates: () => db.select().from(telegramUpdates).where(isNull(telegramUpdates.handledAt)).orderBy(asc(telegramUpdates.updateId)),
    pruneUpdates: (before) => write(db.delete(telegramUpdates).where(and(sql`${telegramUpdates.handledAt} IS NOT NULL`, sql`${telegramUpdates.receivedAt} < ${before}`))),
    trimUpdates: (keep) => write(db.execute(sql`DELETE FROM telegram_updates WHERE handled_at IS NOT NULL AND update_id <= (
      SELECT update_id FROM telegram_updates WHERE handled_at IS NOT NULL ORDER BY update_id DESC LIMIT 1 OFFSET ${keep})`)),
    countUpdates: async () => (await db.select({ n: count }).from(telegramUpdates))[0]?.n ?? 0,

    // kv
    get: async (key) => first(await db.select().from(kv).where(eq(kv.key, key)).limit(1))?.value,
    set: (key, value) => write(db.insert(kv).values({ key, value }).onConflictDoUpdate({ target: kv.key, set: { value } })),
    del: (key) => write(db.delete(kv).where(eq(kv.key, key))),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
