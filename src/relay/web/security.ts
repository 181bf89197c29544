import type { Context, MiddlewareHandler } from "hono";

/**
 * Scripts, styles, images and sockets from this origin only; no inline script or style, no
 * plugins, no framing, forms post only here. Sent with every page and asset of the web app.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Content-Security-Policy", CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("X-Frame-Options", "DENY");
  // A login link in the address bar must never leave in a Referer header to another site.
  // ("no-referrer" would also make Chromium send `Origin: null` on our own form posts.)
  c.header("Referrer-Policy", "same-origin");
  c.header("Cross-Origin-Opener-Policy", "same-origin");
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
};

/**
 * Whether a state-changing request (a POST, the browser socket's upgrade) comes from a page of
 * this relay: the Origin must be the public URL's, or (without --public-url) name the host the
 * request was sent to. A browser always sends Origin on these; a missing one is refused too.
 */
export function sameOrigin(c: Context, publicOrigin: string | undefined): boolean {
  const origin = c.req.header("origin");
  if (!origin || origin === "null") return false;
  if (publicOrigin) return origin === publicOrigin;
  try {
    return new URL(origin).host === c.req.header("host");
  } catch {
    return false;
  }
}
