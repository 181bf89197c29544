// The web app's front door against the compiled binary: who gets in (a /web link from the fake
// Telegram chat, a console code), what a stranger sees, CSRF and cross-site sockets refused, what
// the database keeps (hashes only), rate limits, and sign-out / revocation closing the open socket
// at once. Then the machines, live: online, offline with last seen, online again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import type { WebServerMessage, WebSnapshot } from "../../src/proto/web";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { cookieOf, openApp, postLogin, signIn, webLink } from "../helpers/web-client";

let stack: Stack;
let origin: string;

beforeAll(async () => {
  // Trusting loopback as a proxy lets one test speak for other client addresses (X-Forwarded-For).
  stack = await startStack({ serveArgs: ["--web-login-code", "--trust-proxy", "127.0.0.1"] });
  origin = stack.relayUrl;
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const page = (path: string, cookie?: string) => fetch(`${origin}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
const isSnapshot = (m: WebServerMessage): m is WebSnapshot => m.type === "snapshot";
const dbRows = (sql: string) => {
  const db = new Database(join(stack.relayDir, "relay.db"), { readonly: true });
  try {
    return db.query(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

describe("signing in", () => {
  test("a stranger sees only the sign-in page, under a CSP without inline scripts or other origins", async () => {
    const res = await page("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Send <b>/web</b> to your bot");
    expect(html).not.toContain("app.js");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toMatch(/https?:\/\//);
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    const socket = await fetch(`${origin}/app/ws`, { headers: { origin, upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
    expect(socket.status).toBe(401);
  });

  test("a /web link: opening it signs nobody in; the page's POST does, once", async () => {
    const link = await webLink(stack);
    const secret = new URL(link).searchParams.get("t")!;
    // A link preview (GET) and the person's GET both see the confirmation, and it still works afterwards.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(link);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Sign in as");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
    const res = await postLogin(origin, { t: secret });
    expect(res.status).toBe(303);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = cookieOf(res)!;
    // The link leaves the Telegram chat once used.
    await stack.waitForText(/^✅ This link signed in .*; it no longer works\./, "the link's message to drop the secret");
    expect(stack.texts().join("\n")).not.toContain(secret);
    const app = await (await page("/", cookie)).text();
    expect(app).toContain("/app/app.js");
    // Single use: the same link again is refused, and its GET says so.
    expect((await postLogin(origin, { t: secret })).status).toBe(401);
    expect((await fetch(link)).status).toBe(410);
    // Only hashes are stored: neither the link's secret nor the cookie's token appears in the database.
    const logins = JSON.stringify(dbRows("SELECT * FROM web_logins"));
    const sessions = JSON.stringify(dbRows("SELECT * FROM web_sessions"));
    expect(logins).toContain("secret_hash");
    expect(logins).not.toContain(secret);
    const token = cookie.split("=")[1]!;
    const sid = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sid as string;
    expect(sessions).not.toContain(sid);
    expect(sessions).not.toContain(token);
  });

  test("CSRF: a sign-in POST from another site, or with no Origin, is refused", async () => {
    const secret = new URL(await webLink(stack)).searchParams.get("t")!;
    expect((await postLogin(origin, { t: secret }, { origin: "https://evil.example" })).status).toBe(403);
    const bare = await fetch(`${origin}/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `t=${secret}` });
    expect(bare.status).toBe(403);
    const huge = await postLogin(origin, { t: secret, pad: "x".repeat(100_000) });
    expect(huge.status).toBe(413);
    // Refusals did not use the link up.
    expect((await postLogin(origin, { t: secret })).status).toBe(303);
  });

  test("the console code from `ra serve --web-login-code` signs the owner in once", async () => {
    const code = stack.serve.output.match(/\b([BCDFGHJKLMNPQRSTVWXZ]{5}-[BCDFGHJKLMNPQRSTVWXZ]{5})\b/)?.[1];
    expect(code).toBeDefined();
    const res = await postLogin(origin, { code: code!.toLowerCase().replace("-", " ") });
    expect(res.status).toBe(303);
    expect((await postLogin(origin, { code: code! })).status).toBe(401);
    const app = await openApp(origin, cookieOf(res)!);
    const snapshot = await app.waitFor(isSnapshot, "the snapshot");
    expect(snapshot.user).toMatchObject({ id: OWNER, role: "owner" });
    app.close();
  });

  test("wrong codes from one address are rate limited; other addresses are not", async () => {
    const from = { "x-forwarded-for": "203.0.113.9" };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await postLogin(origin, { code: "BCDFG-HJKLM" }, from)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const limited = await postLogin(origin, { code: "BCDFG-HJKLM" }, from);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Even a valid link is refused from that address now; from another it works.
    const secret = new URL(await webLink(stack)).searchParams.get("t")!;
    expect((await postLogin(origin, { t: secret }, from)).status).toBe(429);
    expect((await postLogin(origin, { t: secret }, { "x-forwarded-for": "198.51.100.7" })).status).toBe(303);
  });
});

describe("the app's socket", () => {
  test("refuses another site's page even with the cookie (cross-site WebSocket hijacking)", async () => {
    const cookie = await signIn(stack);
    await expect(openApp(origin, cookie, { origin: "https://evil.example" })).rejects.toThrow("refused");
    await expect(openApp(origin, "ra_session=forged.token.here")).rejects.toThrow("refused");
  });

  test("machines live: online, offline with last seen, online again", async () => {
    const app = await openApp(origin, await signIn(stack));
    const snapshot = await app.waitFor(isSnapshot, "the snapshot");
    expect(snapshot.devices).toHaveLength(1);
    expect(snapshot.devices[0]).toMatchObject({ name: "laptop", label: "laptop", state: "online" });
    const id = snapshot.devices[0]!.id;
    const state = (s: string) => (m: WebServerMessage) => m.type === "device" && m.device.id === id && m.device.state === s;
    await stack.agent[Symbol.asyncDispose]();
    const offline = await app.waitFor(state("offline"), "laptop offline");
    expect(offline.type === "device" && offline.device.lastSeenAt).toBeGreaterThan(snapshot.devices[0]!.lastSeenAt ?? 0);
    await stack.restartAgent();
    await app.waitFor(state("online"), "laptop online again");
    const seqs = app.messages.filter((m) => m.type !== "result").map((m) => ("seq" in m ? m.seq : -1));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs.slice(1)).size).toBe(seqs.length - 1);
    app.close();
  });

  test("sign out closes the open socket at once and the cookie stops working", async () => {
    const cookie = await signIn(stack);
    const app = await openApp(origin, cookie);
    await app.waitFor(isSnapshot, "the snapshot");
    const res = await fetch(`${origin}/logout`, { method: "POST", redirect: "manual", headers: { cookie, origin } });
    expect(res.status).toBe(303);
    expect((await app.closeEvent()).code).toBe(4001);
    expect(await (await page("/", cookie)).text()).toContain("Send <b>/web</b>");
    await expect(openApp(origin, cookie)).rejects.toThrow("refused");
  });

  test("/web lists signed-in browsers; Sign out there closes that browser's socket at once", async () => {
    const cookie = await signIn(stack);
    const app = await openApp(origin, cookie);
    await app.waitFor(isSnapshot, "the snapshot");
    await webLink(stack);
    const listing = stack.messages(/Signed-in browsers/).at(-1)!;
    const buttons = (listing.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
    expect(buttons.length).toBeGreaterThan(0);
    // The newest session is listed first.
    stack.telegram.clickButton(OWNER, listing.message_id, buttons[0]!);
    expect((await app.closeEvent()).code).toBe(4001);
    expect(await (await page("/", cookie)).text()).toContain("Send <b>/web</b>");
    await stack.waitForText(/Signed out: .* Its open page closed at once\./, "the revocation to be confirmed");
  });
});
