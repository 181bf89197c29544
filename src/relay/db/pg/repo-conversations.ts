import { and, asc, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Store } from "../../store/types";
import type { Schedule, Session, SessionSummary, TurnStatus } from "../../store/types";
import type { PgDb } from "./client";
import { schedules, selectedSessions, sessions, turns, turnText } from "./schema";
import type { PendingWrites } from "./writes";
import { first, int } from "./rows";

type ConversationMethods = Pick<Store,
  | "session" | "openSession" | "openSessionsOfDevice" | "addSession" | "selectSession" | "nextSessionNumber" | "addSessionCost" | "sessionsOf"
  | "closeSession" | "setClaudeSession" | "setSessionMode" | "setLastSeq" | "sessionOfTopic" | "setSessionTopic"
  | "turn" | "addTurn" | "turnsOfSession" | "claimTurn" | "setTurnStatus" | "appendTurnText" | "lastTurns" | "turnText" | "setTurnTools" | "setTurnFiles" | "setTurnMessages"
  | "schedule" | "schedulesOfChat" | "allSchedules" | "addSchedule" | "setScheduleNext" | "setScheduleMissed" | "deleteSchedule">;

/** Conversations, their turns and schedules on Postgres: the same answers as relay/db/repo.ts gives from sqlite. */
export function conversationQueries(db: PgDb, writes: PendingWrites): ConversationMethods {
  const write = (query: PromiseLike<unknown>) => writes.done(query);
  return {
    session: async (id) => first(await db.select().from(sessions).where(eq(sessions.id, id)).limit(1)),
    // The selected one while it is open, else the newest open one.
    openSession: async (chatId, deviceId) => first(await db.select().from(sessions)
      .where(and(eq(sessions.chatId, chatId), eq(sessions.deviceId, deviceId), isNull(sessions.closedAt)))
      .orderBy(
        desc(sql`sessions.id IS NOT DISTINCT FROM (SELECT ss.session_id FROM selected_sessions ss WHERE ss.chat_id = sessions.chat_id AND ss.device_id = sessions.device_id)`),
        desc(sessions.createdAt), desc(sessions.number),
      ).limit(1)),
    openSessionsOfDevice: (deviceId) => db.select().from(sessions).where(and(eq(sessions.deviceId, deviceId), isNull(sessions.closedAt))),
    addSession: (s) => write(db.insert(sessions).values(s)),
    selectSession: (chatId, deviceId, sessionId) =>
      write(db.insert(selectedSessions).values({ chatId, deviceId, sessionId }).onConflictDoUpdate({ target: [selectedSessions.chatId, selectedSessions.deviceId], set: { sessionId } })),
    nextSessionNumber: async (chatId, deviceId) =>
      ((await db.select({ n: int(sql`max(${sessions.number})`) }).from(sessions).where(and(eq(sessions.chatId, chatId), eq(sessions.deviceId, deviceId))))[0]?.n ?? 0) + 1,
    addSessionCost: (id, usd) => write(db.update(sessions).set({ costUsd: sql`${sessions.costUsd} + ${usd}` }).where(eq(sessions.id, id))),
    sessionsOf: async (chatId, deviceId) => {
      const rows = await db.select({
        session: sessions,
        firstPrompt: sql<string | null>`(SELECT t.prompt FROM turns t WHERE t.session_id = sessions.id ORDER BY t.created_at LIMIT 1)`,
        lastActiveAt: int(sql`coalesce((SELECT max(coalesce(t.ended_at, t.created_at)) FROM turns t WHERE t.session_id = sessions.id), sessions.created_at)`),
        running: int(sql`(SELECT count(*) FROM turns t WHERE t.session_id = sessions.id AND t.status = 'running')`),
        approvals: int(sql`(SELECT count(*) FROM approvals a WHERE a.session_id = sessions.id AND a.status = 'pending')`),
      }).from(sessions).where(and(eq(sessions.chatId, chatId), eq(sessions.deviceId, deviceId), isNull(sessions.closedAt)));
      return rows
        .map((r) => ({ ...r.session, firstPrompt: r.firstPrompt, lastActiveAt: r.lastActiveAt, state: r.approvals > 0 ? "approval" : r.running > 0 ? "running" : "idle" } satisfies SessionSummary))
        .sort((a, b) => b.lastActiveAt - a.lastActiveAt || b.number - a.number);
    },
    closeSession: (id, at) => write(db.update(sessions).set({ closedAt: at }).where(eq(sessions.id, id))),
    setClaudeSession: (id, claudeSessionId) => write(db.update(sessions).set({ claudeSessionId }).where(eq(sessions.id, id))),
    setSessionMode: (id, mode: Session["mode"]) => write(db.update(sessions).set({ mode }).where(eq(sessions.id, id))),
    setLastSeq: (id, seq) => write(db.update(sessions).set({ lastSeq: seq }).where(and(eq(sessions.id, id), lt(sessions.lastSeq, seq)))),
    sessionOfTopic: async (chatId, threadId) =>
      first(await db.select().from(sessions).where(and(eq(sessions.chatId, chatId), eq(sessions.threadId, threadId), isNull(sessions.closedAt))).limit(1)),
    setSessionTopic: (id, threadId) => write(db.update(sessions).set({ threadId }).where(eq(sessions.id, id))),

    turn: async (id) => first(await db.select().from(turns).where(eq(turns.id, id)).limit(1)),
    addTurn: (t) => write(db.insert(turns).values(t)),
    turnsOfSession: (sessionId, statuses: TurnStatus[]) =>
      db.select().from(turns).where(and(eq(turns.sessionId, sessionId), inArray(turns.status, statuses))).orderBy(asc(turns.createdAt)),
    // One statement: of two relays claiming at once, the second finds the turn running already.
    claimTurn: async (sessionId) => first(await writes.track(db.update(turns).set({ status: "running" }).where(and(
      eq(turns.id, sql`(SELECT t.id FROM turns t WHERE t.session_id = ${sessionId} AND t.status = 'queued' ORDER BY t.created_at, t.id LIMIT 1)`),
      sql`NOT EXISTS (SELECT 1 FROM turns r WHERE r.session_id = ${sessionId} AND r.status = 'running')`,
    )).returning())),
    setTurnStatus: (id, status, endedAt) => write(db.update(turns).set({ status, ...(endedAt ? { endedAt } : {}) }).where(eq(turns.id, id))),
    appendTurnText: (id, text) => write(db.insert(turnText).values({ turnId: id, text })),
    lastTurns: async (sessionId, limit) =>
      (await db.select().from(turns).where(eq(turns.sessionId, sessionId)).orderBy(desc(turns.createdAt), desc(turns.id)).limit(limit)).reverse(),
    turnText: async (id) => {
      const [before, pieces] = await Promise.all([
        db.select({ text: turns.text }).from(turns).where(eq(turns.id, id)).limit(1),
        db.select({ text: turnText.text }).from(turnText).where(eq(turnText.turnId, id)).orderBy(asc(turnText.id)),
      ]);
      return (before[0]?.text ?? "") + pieces.map((r) => r.text).join("");
    },
    setTurnTools: (id, tools) => write(db.update(turns).set({ tools }).where(eq(turns.id, id))),
    setTurnFiles: (id, files) => write(db.update(turns).set({ files }).where(eq(turns.id, id))),
    setTurnMessages: (id, messageIds) => write(db.update(turns).set({ messageIds: JSON.stringify(messageIds) }).where(eq(turns.id, id))),

    schedule: async (id) => first(await db.select().from(schedules).where(eq(schedules.id, id)).limit(1)),
    schedulesOfChat: (chatId) => db.select().from(schedules).where(eq(schedules.chatId, chatId)).orderBy(asc(schedules.nextAt)),
    allSchedules: () => db.select().from(schedules).orderBy(asc(schedules.nextAt)),
    addSchedule: (row: Schedule) => write(db.insert(schedules).values(row)),
    setScheduleNext: (id, nextAt, lastRunAt) => write(db.update(schedules).set({ nextAt, lastRunAt }).where(eq(schedules.id, id))),
    setScheduleMissed: (id, missed) => write(db.update(schedules).set({ missed }).where(eq(schedules.id, id))),
    deleteSchedule: (id) => write(db.delete(schedules).where(eq(schedules.id, id))),
  };
}
