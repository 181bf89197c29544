import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { WebStore } from "../../store/web";
import type { PgDb } from "./client";
import { webLogins, webSessions } from "./schema";
import { first } from "./rows";

/** The web app's logins and browser sessions on Postgres: the same answers as relay/db/web-repo.ts. */
export function createPgWebRepo(db: PgDb): WebStore {
  return {
    addLogin: async (login) => void (await db.insert(webLogins).values(login)),
    loginBySecretHash: async (hash) => first(await db.select().from(webLogins).where(eq(webLogins.secretHash, hash)).limit(1)),
    useLogin: async (id, at) =>
      (await db.update(webLogins).set({ usedAt: at }).where(and(eq(webLogins.id, id), isNull(webLogins.usedAt))).returning({ id: webLogins.id })).length === 1,
    pruneLogins: async (before) => void (await db.delete(webLogins).where(lt(webLogins.expiresAt, before))),

    addSession: async (session) => void (await db.insert(webSessions).values(session)),
    sessionBySecretHash: async (hash) => first(await db.select().from(webSessions).where(eq(webSessions.secretHash, hash)).limit(1)),
    webSession: async (id) => first(await db.select().from(webSessions).where(eq(webSessions.id, id)).limit(1)),
    liveSessionsOf: (userId) => db.select().from(webSessions).where(and(eq(webSessions.userId, userId), isNull(webSessions.revokedAt))).orderBy(desc(webSessions.createdAt)),
    touchSession: async (id, at) => void (await db.update(webSessions).set({ lastSeenAt: at }).where(eq(webSessions.id, id))),
    revokeSession: async (id, at) =>
      (await db.update(webSessions).set({ revokedAt: at }).where(and(eq(webSessions.id, id), isNull(webSessions.revokedAt))).returning({ id: webSessions.id })).length === 1,
    revokeSessionsOf: async (userId, at) =>
      (await db.update(webSessions).set({ revokedAt: at }).where(and(eq(webSessions.userId, userId), isNull(webSessions.revokedAt))).returning({ id: webSessions.id })).map((r) => r.id),
  };
}
