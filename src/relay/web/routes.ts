import type { Context, Hono } from "hono";
import { upgradeWebSocket } from "hono/bun";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { Core } from "../core";
import type { Counters } from "../core/counters";
import { WEB_ASSETS, MANIFEST } from "./assets";
import { IDLE_MS, type SignedIn, type WebAuth } from "./auth";
import { appPage, ASSET_VERSION, confirmPage, loginPage } from "./pages";
import { FailureLimit } from "./rate-limit";
import { sameOrigin, securityHeaders } from "./security";
import { browserSocket } from "./socket";
import type { WebSurface } from "./surface";

export type WebRouteDeps = {
  core: Core;
  auth: WebAuth;
  surface: WebSurface;
  clock: Clock;
  log: Log;
  /** The relay's public origin (from --public-url); without it the request's own host is the origin. */
  publicOrigin?: string;
  /** Served over https (directly or behind a proxy): the cookie is Secure and __Host- prefixed. */
  secure: boolean;
  /** The client's address (honouring --trust-proxy), for the sign-in rate limit. */
  ipOf: (c: Context) => string;
  /** Where failed sign-ins count (Redis with --redis, shared by the relays); default this relay's memory. */
  counters?: Counters;
};

const MAX_FORM_BYTES = 4096;
const LINK_GONE = "This sign-in link has expired or was already used. Send /web to the bot for a new one.";
const SIGN_IN_UNAVAILABLE = "Sign-in is unavailable right now: the relay cannot reach Redis, where it counts failed attempts. Try again in a minute.";
const BAD_CODE = "That code is wrong, expired or was already used. Restart ra serve with --web-login-code for a new one, or send /web to the bot.";

/** The web app's HTTP side: sign-in pages, the app's shell and assets, and the browser socket. */
export function mountWeb(app: Hono, deps: WebRouteDeps): void {
  const { auth, surface } = deps;
  const cookie = deps.secure ? "__Host-ra_session" : "ra_session";
  const limit = new FailureLimit(deps.clock, deps.counters);
  ASSET_VERSION.value = WEB_ASSETS.version;

  const setSession = (c: Context, token: string) =>
    setCookie(c, cookie, token, { httpOnly: true, secure: deps.secure, sameSite: "Strict", path: "/", maxAge: Math.floor(IDLE_MS / 1000) });
  /** The signed-in person, refreshing the cookie's token when it is due. */
  const signedIn = async (c: Context): Promise<SignedIn | undefined> => {
    const found = await auth.verify(getCookie(c, cookie));
    if (found?.reissued) setSession(c, found.reissued);
    return found;
  };
  const tooMany = async (c: Context) => {
    let wait: number;
    try {
      wait = await limit.retryAfter(deps.ipOf(c));
    } catch (err) {
      // Without the count nobody may try: unlimited guessing is worse than a minute's wait.
      deps.log.error(`cannot count failed sign-ins, so sign-in is refused: ${(err as Error).message}`);
      return c.html(loginPage(SIGN_IN_UNAVAILABLE), 503);
    }
    if (wait <= 0) return undefined;
    c.header("Retry-After", String(Math.ceil(wait / 1000)));
    return c.html(loginPage(`Too many failed sign-in attempts from your address. Try again in ${Math.ceil(wait / 60_000)} min.`), 429);
  };
  const failed = (ip: string) => limit.failed(ip).catch((err) => deps.log.error(`cannot count a failed sign-in from ${ip}: ${(err as Error).message}`));
  const crossSite = (c: Context) => c.text("Refused: this request did not come from a page of this relay.", 403);

  app.get("/", securityHeaders, async (c) => c.html((await signedIn(c)) ? appPage() : loginPage()));

  app.get("/login", securityHeaders, async (c) => {
    const refused = await tooMany(c);
    if (refused) return refused;
    const secret = c.req.query("t") ?? "";
    const user = secret ? await auth.peekLink(secret) : undefined;
    if (!user) {
      await failed(deps.ipOf(c));
      return c.html(loginPage(LINK_GONE), 410);
    }
    return c.html(confirmPage(user.name, secret));
  });

  app.post("/login", securityHeaders, async (c) => {
    if (!sameOrigin(c, deps.publicOrigin)) return crossSite(c);
    const refused = await tooMany(c);
    if (refused) return refused;
    // A sign-in form is a few dozen bytes; nobody unknown gets to make the relay read more.
    if (Number(c.req.header("content-length") ?? Number.POSITIVE_INFINITY) > MAX_FORM_BYTES) return c.text("Too large.", 413);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const link = typeof form.t === "string" ? form.t : "";
    const code = typeof form.code === "string" ? form.code : "";
    const ip = deps.ipOf(c);
    const from = { userAgent: c.req.header("user-agent") ?? "", ip };
    const done = link ? await auth.redeem("link", link, from) : code ? await auth.redeem("code", code, from) : undefined;
    if (!done) {
      await failed(ip);
      return c.html(loginPage(link ? LINK_GONE : BAD_CODE), 401);
    }
    deps.log.info(`${done.user.telegramId} signed in to the web app from ${ip}`);
    setSession(c, done.token);
    return c.redirect("/", 303);
  });

  app.post("/logout", securityHeaders, async (c) => {
    if (!sameOrigin(c, deps.publicOrigin)) return crossSite(c);
    const found = await auth.verify(getCookie(c, cookie));
    if (found) await auth.revoke(found.session.id);
    deleteCookie(c, cookie, { path: "/", secure: deps.secure });
    return c.redirect("/", 303);
  });

  const asset = (path: string, type: string, body: () => string) =>
    app.get(path, securityHeaders, (c) => {
      // Versioned URLs never change content: the browser may keep them; others are checked each time.
      c.header("Cache-Control", c.req.query("v") === WEB_ASSETS.version ? "public, max-age=31536000, immutable" : "no-cache");
      return c.body(body(), 200, { "Content-Type": type });
    });
  asset("/app/app.js", "text/javascript; charset=utf-8", () => WEB_ASSETS.js);
  asset("/app/app.css", "text/css; charset=utf-8", () => WEB_ASSETS.css);
  asset("/app/icon.svg", "image/svg+xml", () => WEB_ASSETS.icon);
  asset("/favicon.ico", "image/svg+xml", () => WEB_ASSETS.icon);
  // At the root so it may serve the whole app (scope "/"); checked for updates on every visit.
  app.get("/sw.js", securityHeaders, (c) => c.body(WEB_ASSETS.sw, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" }));
  asset("/app/manifest.webmanifest", "application/manifest+json", () => MANIFEST);

  /** Whether this browser is still signed in (the app asks before it reconnects). */
  app.get("/app/me", securityHeaders, async (c) => {
    const found = await signedIn(c);
    return found ? c.json({ id: found.user.telegramId, name: found.user.name }) : c.json({ error: "unauthorized", message: "sign in again" }, 401);
  });

  app.get(
    "/app/ws",
    async (c, next) => {
      // Cookies ride along on a cross-site WebSocket too: only this relay's pages may open it.
      if (!sameOrigin(c, deps.publicOrigin)) return crossSite(c);
      const found = await signedIn(c);
      if (!found) return c.text("Sign in first.", 401);
      c.set("signedIn" as never, found as never);
      await next();
    },
    upgradeWebSocket((c) => {
      const found = c.get("signedIn" as never) as SignedIn;
      const epoch = c.req.query("epoch");
      const since = Number(c.req.query("since"));
      const resume = epoch && Number.isSafeInteger(since) ? { epoch, seq: since } : undefined;
      let handlers: ReturnType<typeof browserSocket> | undefined;
      return {
        onOpen: (_e, ws) => {
          handlers = browserSocket(deps, found, ws, resume);
        },
        onMessage: (e) => handlers?.onMessage(e.data as string | ArrayBuffer),
        onClose: () => handlers?.onClose(),
      };
    }),
  );

  auth.onRevoked((ids) => void surface.closeSessions(ids));
}
