import { VirtualClock } from "../helpers/virtual-clock";
// Pairing codes with an injected clock: expiry at exactly 10 minutes, the 2-minute confirmation
// window, single use, the caps on waiting machines, and the brute-force brakes at their numbers.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { MachineFacts } from "../../src/proto";
import { openDb } from "../../src/relay/db/client";
import { createRepo } from "../../src/relay/db/repo";
import { asyncStore } from "../../src/relay/store/async";
import type { AgentLink } from "../../src/relay/core/hub";
import { CONFIRM_WINDOW_MS, PAIR_CODE_TTL_MS, Pairing } from "../../src/relay/core/pairing";
import { sha256 } from "../../src/relay/secrets";
import { tmpDir } from "../helpers/tmp";

const MIN = 60_000;
const facts: MachineFacts = { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "0.1.0" };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type FakeLink = AgentLink & { frames: { type: string; [k: string]: unknown }[]; closed?: { code: number; reason: string } };
let linkCount = 0;
function link(ip = "10.0.0.1"): FakeLink {
  const l: FakeLink = { id: `l${++linkCount}`, ip, frames: [], send: (f) => l.frames.push(f as FakeLink["frames"][number]), close: (code, reason) => (l.closed = { code, reason }) };
  return l;
}
function setup() {
  const dir = tmpDir();
  const sqlite = createRepo(openDb(join(dir.path, "relay.db")));
  const repo = asyncStore(sqlite);
  const clock = new VirtualClock();
  clock.t = 10_000_000;
  const pairing = new Pairing(repo, clock);
  const links: FakeLink[] = [];
  const open = (ip?: string) => {
    const l = link(ip);
    links.push(l);
    const opened = pairing.open(l, `m${links.length}`, facts, "BCDF-GHJK");
    return { link: l, opened };
  };
  cleanups.push(() => dir[Symbol.asyncDispose](), () => links.forEach((l) => pairing.close(l)), () => (sqlite.flush(), sqlite.db.$client.close()));
  return { repo, clock, pairing, open };
}
const codeOf = (o: ReturnType<ReturnType<typeof setup>["open"]>["opened"]) => {
  if ("error" in o) throw new Error(o.error);
  return o;
};

describe("pairing codes", () => {
  test("work until exactly 10 minutes, then are refused like a wrong code", async () => {
    const { clock, pairing, open } = setup();
    const early = codeOf(open().opened);
    const late = codeOf(open("10.0.0.2").opened);
    expect(early.expiresAt).toBe(clock.t + PAIR_CODE_TTL_MS);
    clock.t += PAIR_CODE_TTL_MS - 1;
    expect((await pairing.redeem(early.code, 1001)).ok).toBe(true);
    clock.t += 1;
    expect(await pairing.redeem(late.code, 1001)).toEqual({ ok: false, reason: "invalid" });
  });

  test("the deep-link secret works like the typed code; both are single use", async () => {
    const { pairing, open, repo } = setup();
    const { link: l, opened } = open();
    const code = codeOf(opened);
    const claimed = await pairing.redeem(`pair_${code.secret}`, 1001);
    expect(claimed.ok).toBe(true);
    const device = (await pairing.confirm((claimed as { machine: { claimId: string } }).machine.claimId, 1001))!;
    expect(device.name).toBe("m1");
    const done = l.frames.find((f) => f.type === "pair.done")!;
    expect((await repo.deviceByTokenHash(sha256(done.token as string)))?.id).toBe(device.id);
    expect(device.tokenHash).not.toBe(done.token);
    expect(await pairing.redeem(code.code, 1001)).toEqual({ ok: false, reason: "invalid" });
    expect(await pairing.redeem(`pair_${code.secret}`, 1001)).toEqual({ ok: false, reason: "invalid" });
  });

  test("a claimed machine must be confirmed within 2 minutes, by the user who claimed it", async () => {
    const { clock, pairing, open } = setup();
    codeOf(open().opened);
    const second = codeOf(open("10.0.0.2").opened);
    const first = await pairing.redeem(second.code, 1001) as { ok: true; machine: { claimId: string; expiresAt: number } };
    expect(first.machine.expiresAt).toBe(clock.t + CONFIRM_WINDOW_MS);
    expect(await pairing.redeem(second.code, 2002)).toEqual({ ok: false, reason: "invalid" }); // someone else's claim
    expect(await pairing.confirm(first.machine.claimId, 2002)).toBeNull();
    clock.t += CONFIRM_WINDOW_MS;
    expect(await pairing.confirm(first.machine.claimId, 1001)).toBeNull();
  });

  test("at most 3 machines per address and 20 in all wait to pair", async () => {
    const { open } = setup();
    for (let i = 0; i < 3; i++) codeOf(open("10.9.9.9").opened);
    expect(open("10.9.9.9").opened).toEqual({ error: "too many machines from this address are waiting to pair; finish or cancel those first" });
    for (let i = 0; i < 17; i++) codeOf(open(`10.1.0.${i}`).opened);
    expect(open("10.2.0.1").opened).toEqual({ error: "too many machines are waiting to pair right now; try again in a few minutes" });
  });

  test("the 5th wrong code in 10 minutes locks the user, even a right code is then refused; 15 minutes later it works", async () => {
    const { clock, pairing, open } = setup();
    const good = codeOf(open().opened);
    for (let i = 1; i <= 4; i++) expect(await pairing.redeem("BCDFG-HJKLM", 1001)).toEqual({ ok: false, reason: "invalid" });
    const fifth = await pairing.redeem("BCDFG-HJKLN", 1001);
    expect(fifth).toEqual({ ok: false, reason: "invalid", justLocked: clock.t + 15 * MIN });
    expect(await pairing.redeem(good.code, 1001)).toEqual({ ok: false, reason: "locked", until: clock.t + 15 * MIN });
    expect((await pairing.redeem(good.code, 2002)).ok).toBe(true); // another user is not affected
    clock.t += 15 * MIN;
    expect((await pairing.redeem(codeOf(open("10.0.0.3").opened).code, 1001)).ok).toBe(true);
  });

  test("the 20th wrong code across everyone pauses pairing for everyone for 15 minutes", async () => {
    const { clock, pairing, open } = setup();
    const good = codeOf(open().opened);
    for (let i = 0; i < 19; i++) expect(await pairing.redeem("BCDFG-HJKLM", 100 + (i % 4))).toMatchObject({ ok: false, reason: "invalid" });
    const last = await pairing.redeem("BCDFG-HJKLM", 200);
    expect(last).toMatchObject({ ok: false, reason: "invalid", justPaused: clock.t + 15 * MIN });
    expect(await pairing.redeem(good.code, 300)).toEqual({ ok: false, reason: "paused", until: clock.t + 15 * MIN });
    clock.t += 15 * MIN;
    expect((await pairing.redeem(codeOf(open("10.0.0.4").opened).code, 300)).ok).toBe(true);
  });
});
