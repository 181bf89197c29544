import type { Answers } from "./types";

/**
 * What the web app keeps: one-time ways in (login links and codes) and signed-in browsers, as
 * plain rows. Only SHA-256 hashes of their secrets are stored. The sqlite implementation is
 * relay/db/web-repo.ts; another store implements the same interface.
 */
export type WebLogin = {
  id: string;
  secretHash: string;
  userId: number;
  kind: "link" | "code";
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
};

export type WebSessionRow = {
  id: string;
  secretHash: string;
  userId: number;
  userAgent: string;
  ip: string;
  createdAt: number;
  lastSeenAt: number;
  revokedAt: number | null;
};

export interface SyncWebStore {
  addLogin(login: Omit<WebLogin, "usedAt">): void;
  loginBySecretHash(hash: string): WebLogin | undefined;
  /** Marks the login used; false when it was already used (single use, first request wins). */
  useLogin(id: string, at: number): boolean;
  /** Forgets logins that expired before `before`. */
  pruneLogins(before: number): void;

  addSession(session: Omit<WebSessionRow, "revokedAt">): void;
  sessionBySecretHash(hash: string): WebSessionRow | undefined;
  webSession(id: string): WebSessionRow | undefined;
  /** A user's sessions that are not revoked, newest first. */
  liveSessionsOf(userId: number): WebSessionRow[];
  touchSession(id: string, at: number): void;
  /** False when it was already revoked. */
  revokeSession(id: string, at: number): boolean;
  /** Revokes every live session of the user (they were removed); returns the ids. */
  revokeSessionsOf(userId: number, at: number): string[];
}

/** The web app's store as the relay uses it: each query answering with a promise. */
export type WebStore = Answers<SyncWebStore>;
