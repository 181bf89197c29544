import type { JWTPayload } from "jose";

/** jose loads with the first browser that signs in or shows a cookie: an idle relay never needs it. */
const jose = () => import("jose");
import type { Clock } from "../../clock";
import { newPairCode, normalizePairCode, sha256, shortId } from "../secrets";
import type { Store, User } from "../store/types";
import type { WebLogin, WebSessionRow, WebStore } from "../store/web";

/** A /web link works this long, once. */
export const LINK_TTL_MS = 5 * 60_000;
/** A `ra serve --web-login-code` code works this long, once. */
export const CODE_TTL_MS = 15 * 60_000;
/** The cookie's signed token lasts this long; an expired one is exchanged only while its session row lives. */
export const TOKEN_TTL_S = 15 * 60;
/** A fresh token is issued when the presented one is older than this. */
const REISSUE_AFTER_S = 5 * 60;
/** A browser unseen this long must sign in again. */
export const IDLE_MS = 30 * 24 * 3600_000;
/** lastSeenAt is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export type SignedIn = { session: WebSessionRow; user: User; /** A fresh token for the cookie, when the old one is due. */ reissued?: string };

/**
 * Signing in to the web app: one-time ways in (a /web link, a console code) become a browser
 * session, a revocable row whose secret travels only inside a short-lived HS256 token. Every
 * request checks the row, so revoking a session or removing the user works at once.
 */
export class WebAuth {
  private revokedListeners: ((sessionIds: string[]) => void)[] = [];
  private linkUsedListeners: ((loginId: string, userAgent: string) => void)[] = [];

  constructor(
    private readonly web: WebStore,
    private readonly users: Pick<Store, "user" | "owners">,
    private readonly clock: Clock,
    private readonly key: Uint8Array,
  ) {}

  /** A one-time link secret for a user (the /web command puts it in `/login?t=`). */
  async mintLink(userId: number): Promise<{ id: string; secret: string; expiresAt: number }> {
    const secret = shortId(32);
    const id = shortId(9);
    return { id, secret, expiresAt: await this.addLogin(userId, "link", secret, LINK_TTL_MS, id) };
  }

  /** A code to type on the login page, for the first owner (no Telegram needed); undefined with no owner yet. */
  async mintCode(): Promise<{ code: string; user: User; expiresAt: number } | undefined> {
    const user = (await this.users.owners()).sort((a, b) => a.createdAt - b.createdAt)[0];
    if (!user) return undefined;
    const code = newPairCode();
    return { code, user, expiresAt: await this.addLogin(user.telegramId, "code", normalizePairCode(code)!, CODE_TTL_MS) };
  }

  /** Who a link would sign in, without using it (link previews and the confirmation page). */
  async peekLink(secret: string): Promise<User | undefined> {
    return (await this.usable(await this.web.loginBySecretHash(sha256(secret)), "link"))?.user;
  }

  /** Uses a link or a code once and opens a browser session; undefined when it is unknown, used or expired. */
  async redeem(kind: WebLogin["kind"], secret: string, from: { userAgent: string; ip: string }): Promise<{ token: string; user: User } | undefined> {
    const normal = kind === "code" ? normalizePairCode(secret) : secret;
    if (!normal) return undefined;
    const found = await this.usable(await this.web.loginBySecretHash(sha256(normal)), kind);
    if (!found || !await this.web.useLogin(found.login.id, this.clock.now())) return undefined;
    if (kind === "link") for (const listener of this.linkUsedListeners) listener(found.login.id, from.userAgent);
    const sessionSecret = shortId(32);
    const now = this.clock.now();
    await this.web.addSession({ id: shortId(9), secretHash: sha256(sessionSecret), userId: found.user.telegramId, userAgent: from.userAgent.slice(0, 300), ip: from.ip, createdAt: now, lastSeenAt: now });
    return { token: await this.sign(sessionSecret), user: found.user };
  }

  /** The session and user behind a cookie's token, if it still may be used. */
  async verify(token: string | undefined): Promise<SignedIn | undefined> {
    if (!token) return undefined;
    let payload: JWTPayload;
    const { errors, jwtVerify } = await jose();
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"], currentDate: new Date(this.clock.now()) }));
    } catch (err) {
      // Expired but genuinely ours (the signature is checked before the dates): the row decides.
      if (!(err instanceof errors.JWTExpired)) return undefined;
      payload = err.payload;
    }
    if (typeof payload.sid !== "string") return undefined;
    const session = await this.web.sessionBySecretHash(sha256(payload.sid));
    const now = this.clock.now();
    if (!session || session.revokedAt !== null || now - session.lastSeenAt > IDLE_MS) return undefined;
    const user = await this.users.user(session.userId);
    if (!user) return undefined;
    if (now - session.lastSeenAt > TOUCH_EVERY_MS) await this.web.touchSession(session.id, now);
    const age = now / 1000 - (payload.iat ?? 0);
    return { session, user, ...(age > REISSUE_AFTER_S ? { reissued: await this.sign(payload.sid) } : {}) };
  }

  /** The user's signed-in browsers, newest first. */
  async sessionsOf(userId: number): Promise<WebSessionRow[]> {
    const now = this.clock.now();
    return (await this.web.liveSessionsOf(userId)).filter((s) => now - s.lastSeenAt <= IDLE_MS);
  }

  /** Signs a browser out at once (its open socket closes). False when it was not live. */
  async revoke(sessionId: string): Promise<boolean> {
    if (!await this.web.revokeSession(sessionId, this.clock.now())) return false;
    for (const listener of this.revokedListeners) listener([sessionId]);
    return true;
  }

  /** Signs out every browser of a user (they were removed from the bot). */
  async revokeUser(userId: number): Promise<void> {
    const ids = await this.web.revokeSessionsOf(userId, this.clock.now());
    if (ids.length) for (const listener of this.revokedListeners) listener(ids);
  }

  onRevoked(listener: (sessionIds: string[]) => void): void {
    this.revokedListeners.push(listener);
  }

  /** A /web link was used (its message can drop the secret). */
  onLinkUsed(listener: (loginId: string, userAgent: string) => void): void {
    this.linkUsedListeners.push(listener);
  }

  private async addLogin(userId: number, kind: WebLogin["kind"], secret: string, ttl: number, id = shortId(9)): Promise<number> {
    const now = this.clock.now();
    await this.web.pruneLogins(now);
    await this.web.addLogin({ id, secretHash: sha256(secret), userId, kind, createdAt: now, expiresAt: now + ttl });
    return now + ttl;
  }

  private async usable(login: WebLogin | undefined, kind: WebLogin["kind"]): Promise<{ login: WebLogin; user: User } | undefined> {
    if (!login || login.kind !== kind || login.usedAt !== null || login.expiresAt <= this.clock.now()) return undefined;
    const user = await this.users.user(login.userId);
    return user ? { login, user } : undefined;
  }

  private async sign(sid: string): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    const { SignJWT } = await jose();
    return new SignJWT({ sid }).setProtectedHeader({ alg: "HS256" }).setIssuedAt(now).setExpirationTime(now + TOKEN_TTL_S).sign(this.key);
  }
}
