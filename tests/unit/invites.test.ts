import { describe, expect, test } from "bun:test";
import { INVITE_TTL_MS, Invites } from "../../src/relay/invites";
import { sha256 } from "../../src/relay/secrets";
import { tempRelayDb } from "../helpers/temp-relay-db";

function setup() {
  const { repo, sqlite, clock } = tempRelayDb(1_000_000);
  return { repo, sqlite, clock, invites: new Invites(repo, clock) };
}
const fran = { id: 3003, name: "Fran" };

describe("invites", () => {
  test("are 128-bit, stored only as a hash, and claimed once", async () => {
    const { repo, sqlite, invites } = setup();
    const { secret, expiresAt } = await invites.create(1001);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(expiresAt).toBe(1_000_000 + INVITE_TTL_MS);
    expect((await repo.inviteBySecretHash(sha256(secret)))?.secretHash).toBe(sha256(secret));
    expect(JSON.stringify(sqlite.db.$client.query("SELECT * FROM invites").all())).not.toContain(secret);
    expect((await invites.claim(secret, fran))?.claimedBy).toBe(3003);
    expect(await invites.claim(secret, { id: 4004, name: "Eve" })).toBeNull();
    expect(await invites.claim("x".repeat(22), fran)).toBeNull();
  });

  test("expire after exactly 24 hours", async () => {
    const { clock, invites } = setup();
    const early = (await invites.create(1001)).secret;
    const late = (await invites.create(1001)).secret;
    clock.t += INVITE_TTL_MS - 1;
    expect(await invites.claim(early, fran)).not.toBeNull();
    clock.t += 1;
    expect(await invites.claim(late, fran)).toBeNull();
  });

  test("the claimant becomes a user only when accepted, and a decision is made once", async () => {
    const { repo, invites } = setup();
    const id = (await invites.claim((await invites.create(1001)).secret, fran))!.id;
    expect(await repo.user(3003)).toBeUndefined();
    expect((await invites.accept(id))?.claimedBy).toBe(3003);
    expect(await repo.user(3003)).toMatchObject({ role: "user", name: "Fran" });
    expect(await invites.accept(id)).toBeNull();
    expect(await invites.refuse(id)).toBeNull();

    const other = (await invites.claim((await invites.create(1001)).secret, { id: 4004, name: "Eve" }))!.id;
    expect((await invites.refuse(other))?.claimedBy).toBe(4004);
    expect(await invites.accept(other)).toBeNull();
    expect(await repo.user(4004)).toBeUndefined();
  });

  test("an open, unclaimed invite cannot be accepted", async () => {
    const { sqlite, invites } = setup();
    await invites.create(1001);
    const id = (sqlite.db.$client.query("SELECT id FROM invites").get() as { id: string }).id;
    expect(await invites.accept(id)).toBeNull();
  });
});
