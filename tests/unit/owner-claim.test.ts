import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { OwnerClaim, SETUP_CODE_TTL_MS } from "../../src/relay/owner-claim";
import { tempRelayDb } from "../helpers/temp-relay-db";

function setup() {
  const { dir, repo, clock } = tempRelayDb(5_000_000);
  return { dir, repo, clock, claim: new OwnerClaim(repo, clock, dir) };
}

describe("the owner's setup code", () => {
  test("is 128-bit, written 0600 to the data dir, and only its hash is stored", async () => {
    const { dir, repo, claim } = setup();
    const { code, file, expiresAt } = await claim.mint();
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(code, "base64url")).toHaveLength(16);
    expect(file).toBe(join(dir, "setup-code"));
    expect(readFileSync(file, "utf8")).toBe(`${code}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(expiresAt).toBe(5_000_000 + SETUP_CODE_TTL_MS);
    expect(await repo.get("setup_code")).not.toContain(code);
  });

  test("works once; the file goes with it", async () => {
    const { claim } = setup();
    const { code, file } = await claim.mint();
    expect(await claim.redeem("wrong")).toBe(false);
    expect(await claim.redeem(`${code.slice(0, -1)}x`)).toBe(false);
    expect(await claim.redeem(` ${code} `)).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(await claim.redeem(code)).toBe(false);
  });

  test("is valid for exactly 60 minutes", async () => {
    const { clock, claim } = setup();
    const first = (await claim.mint()).code;
    clock.t += SETUP_CODE_TTL_MS - 1;
    expect(await claim.redeem(first)).toBe(true);
    const second = (await claim.mint()).code;
    clock.t += SETUP_CODE_TTL_MS;
    expect(await claim.redeem(second)).toBe(false);
  });

  test("once the relay has an owner, a code minted before stops working and its file goes", async () => {
    const { repo, claim } = setup();
    const { code, file } = await claim.mint();
    await repo.addUser({ telegramId: 1001, role: "owner", name: "", createdAt: 0 });
    expect(await claim.redeem(code)).toBe(false);
    await claim.retire();
    expect(existsSync(file)).toBe(false);
    expect(await repo.get("setup_code")).toBeUndefined();
  });

  test("a new code (a restart without an owner) invalidates the old one", async () => {
    const { claim } = setup();
    const old = (await claim.mint()).code;
    const fresh = (await claim.mint()).code;
    expect(await claim.redeem(old)).toBe(false);
    expect(await claim.redeem(fresh)).toBe(true);
  });
});
