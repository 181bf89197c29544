// Signing in to the web app on the real sqlite file with a virtual clock: link and code lifetimes
// and single use, the short-lived token exchanged while its session row lives, and every way a
// session stops working (revoked, idle, user removed, forged or tampered token).
import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { createWebRepo } from "../../src/relay/db/web-repo";
import { asyncWebStore } from "../../src/relay/store/async";
import { CODE_TTL_MS, IDLE_MS, LINK_TTL_MS, TOKEN_TTL_S, WebAuth } from "../../src/relay/web/auth";
import { tempRelayDb } from "../helpers/temp-relay-db";

const T0 = Date.UTC(2026, 11, 4, 12);
const KEY = new Uint8Array(32).fill(7);
const FROM = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140", ip: "192.0.2.1" };

async function setup() {
  const { repo, sqlite, clock } = tempRelayDb(T0);
  await repo.addUser({ telegramId: 1, role: "owner", name: "Olga", createdAt: T0 - 10 });
  await repo.addUser({ telegramId: 2, role: "user", name: "Bob", createdAt: T0 - 5 });
  const web = asyncWebStore(createWebRepo(sqlite.db));
  return { repo, clock, web, auth: new WebAuth(web, repo, clock, KEY) };
}

describe("web sign-in", () => {
  test("a link: looking at it uses nothing; it works once, within 5 minutes", async () => {
    const { auth, clock } = await setup();
    const { secret } = await auth.mintLink(2);
    expect(await (await auth.peekLink(secret))?.name).toBe("Bob");
    expect(await (await auth.peekLink(secret))?.name).toBe("Bob");
    const done = await auth.redeem("link", secret, FROM);
    expect(done?.user.telegramId).toBe(2);
    expect(await auth.redeem("link", secret, FROM)).toBeUndefined();
    expect(await auth.peekLink(secret)).toBeUndefined();
    const late = (await auth.mintLink(2)).secret;
    clock.t += LINK_TTL_MS;
    expect(await auth.peekLink(late)).toBeUndefined();
    expect(await auth.redeem("link", late, FROM)).toBeUndefined();
  });

  test("a link is not a code and a code is not a link", async () => {
    const { auth } = await setup();
    const { secret } = await auth.mintLink(1);
    expect(await auth.redeem("code", secret, FROM)).toBeUndefined();
    const { code } = (await auth.mintCode())!;
    expect(await auth.redeem("link", code, FROM)).toBeUndefined();
    expect(await auth.peekLink(code)).toBeUndefined();
  });

  test("the console code signs in the first owner, typed loosely, once, within 15 minutes", async () => {
    const { auth, clock } = await setup();
    const minted = (await auth.mintCode())!;
    expect(minted.user.telegramId).toBe(1);
    expect(minted.code).toMatch(/^[A-Z]{5}-[A-Z]{5}$/);
    expect((await auth.redeem("code", ` ${minted.code.toLowerCase().replace("-", " ")} `, FROM))?.user.name).toBe("Olga");
    expect(await auth.redeem("code", minted.code, FROM)).toBeUndefined();
    const late = (await auth.mintCode())!;
    clock.t += CODE_TTL_MS;
    expect(await auth.redeem("code", late.code, FROM)).toBeUndefined();
  });

  test("no owner yet: no code", async () => {
    const { repo, sqlite, clock } = tempRelayDb(T0);
    expect(await new WebAuth(asyncWebStore(createWebRepo(sqlite.db)), repo, clock, KEY).mintCode()).toBeUndefined();
  });

  test("the token is short-lived, and exchanged for a fresh one while its session row lives", async () => {
    const { auth, clock } = await setup();
    const { token } = (await auth.redeem("link", (await auth.mintLink(1)).secret, FROM))!;
    const fresh = await auth.verify(token);
    expect(fresh?.user.telegramId).toBe(1);
    expect(fresh?.reissued).toBeUndefined();
    clock.t += (TOKEN_TTL_S + 60) * 1000;
    const later = await auth.verify(token);
    expect(later?.session.id).toBe(fresh!.session.id);
    expect(later?.reissued).toBeDefined();
    expect((await auth.verify(later!.reissued))?.reissued).toBeUndefined();
  });

  test("revoked, idle too long, or the user removed: the session is over", async () => {
    const { auth, clock, repo } = await setup();
    const revokedSeen: string[][] = [];
    auth.onRevoked((ids) => void revokedSeen.push(ids));
    const a = (await auth.redeem("link", (await auth.mintLink(1)).secret, FROM))!.token;
    const b = (await auth.redeem("link", (await auth.mintLink(1)).secret, FROM))!.token;
    const c = (await auth.redeem("link", (await auth.mintLink(2)).secret, FROM))!.token;
    expect(await auth.sessionsOf(1)).toHaveLength(2);
    const sa = (await auth.verify(a))!.session.id;
    expect(await auth.revoke(sa)).toBe(true);
    expect(await auth.revoke(sa)).toBe(false);
    expect(revokedSeen).toEqual([[sa]]);
    expect(await auth.verify(a)).toBeUndefined();
    expect(await auth.sessionsOf(1)).toHaveLength(1);
    await repo.deleteUser(2);
    expect(await auth.verify(c)).toBeUndefined();
    clock.t += IDLE_MS + 1;
    expect(await auth.verify(b)).toBeUndefined();
    expect(await auth.sessionsOf(1)).toHaveLength(0);
  });

  test("a forged or tampered token gets nobody in", async () => {
    const { auth } = await setup();
    const { token } = (await auth.redeem("link", (await auth.mintLink(1)).secret, FROM))!;
    const sid = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sid as string;
    const forged = await new SignJWT({ sid }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("1h").sign(new Uint8Array(32).fill(8));
    expect(await auth.verify(forged)).toBeUndefined();
    const [head, , sig] = token.split(".");
    const body = Buffer.from(JSON.stringify({ sid: `${sid}x`, iat: 1, exp: 2 })).toString("base64url");
    expect(await auth.verify(`${head}.${body}.${sig}`)).toBeUndefined();
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${token.split(".")[1]}.`;
    expect(await auth.verify(none)).toBeUndefined();
    expect(await auth.verify(undefined)).toBeUndefined();
    expect(await auth.verify("garbage")).toBeUndefined();
  });
});
