import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { SyncWebStore, WebLogin, WebSessionRow } from "../store/web";
import type { Db } from "./client";
import { webLogins, webSessions } from "./schema";

/** The web app's queries (logins and browser sessions) on the relay's sqlite database. */
export function createWebRepo(db: Db): SyncWebStore {
  return {
    addLogin: (login: Omit<WebLogin, "usedAt">) => void db.insert(webLogins).values(login).run(),
    loginBySecretHash: (hash: string) => db.select().from(webLogins).where(eq(webLogins.secretHash, hash)).get(),
    useLogin: (id: string, at: number) =>
      db.update(webLogins).set({ usedAt: at }).where(and(eq(webLogins.id, id), isNull(webLogins.usedAt))).returning({ id: webLogins.id }).all().length === 1,
    pruneLogins: (before: number) => void db.delete(webLogins).where(lt(webLogins.expiresAt, before)).run(),

    addSession: (session: Omit<WebSessionRow, "revokedAt">) => void db.insert(webSessions).values(session).run(),
    sessionBySecretHash: (hash: string) => db.select().from(webSessions).where(eq(webSessions.secretHash, hash)).get(),
    webSession: (id: string) => db.select().from(webSessions).where(eq(webSessions.id, id)).get(),
    liveSessionsOf: (userId: number) =>
      db.select().from(webSessions).where(and(eq(webSessions.userId, userId), isNull(webSessions.revokedAt))).orderBy(desc(webSessions.createdAt)).all(),
    touchSession: (id: string, at: number) => void db.update(webSessions).set({ lastSeenAt: at }).where(eq(webSessions.id, id)).run(),
    revokeSession: (id: string, at: number) =>
      db.update(webSessions).set({ revokedAt: at }).where(and(eq(webSessions.id, id), isNull(webSessions.revokedAt))).returning({ id: webSessions.id }).all().length === 1,
    revokeSessionsOf: (userId: number, at: number) =>
      db.update(webSessions).set({ revokedAt: at }).where(and(eq(webSessions.userId, userId), isNull(webSessions.revokedAt))).returning({ id: webSessions.id }).all().map((r) => r.id),
  };
}
