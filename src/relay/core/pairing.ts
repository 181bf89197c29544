import type { Cancel, Clock } from "../../clock";
import type { Log } from "../../log";
import { CloseCode, type MachineFacts } from "../../proto";
import type { Device, Store } from "../store/types";
import type { AgentLink } from "./hub";
import type { Counters } from "./counters";
import { PairLimits } from "./pair-limits";
import { newDeviceToken, newPairCode, normalizePairCode, sha256, shortId } from "../secrets";

export const PAIR_CODE_TTL_MS = 10 * 60_000;
export const CONFIRM_WINDOW_MS = 2 * 60_000;
const MAX_PENDING = 20;
const MAX_PENDING_PER_IP = 3;

export type PendingMachine = {
  claimId: string;
  link: AgentLink;
  name: string;
  facts: MachineFacts;
  ip: string;
  fingerprint: string;
  expiresAt: number;
  claimedBy?: number;
};

type Entry = PendingMachine & { code: string; secret: string; cancelExpiry: Cancel };

/** A claimed machine as every relay may see it (its connection stays on the relay it reached). */
export type PairClaim = Omit<PendingMachine, "link">;

/**
 * Machines waiting to pair on the other relay instances (several `ra serve` sharing one Redis):
 * a code typed on any relay claims the machine wherever its `ra pair` is connected. Keys are
 * `c:<code>`, `s:<deep-link secret>`, `k:<claim id>`.
 */
export interface RemotePairing {
  /** A machine waits here under these keys until `ended` (at most `ttlMs`). */
  opened(keys: string[], ttlMs: number): void;
  ended(keys: string[]): void;
  /** Claims the machine waiting under `key` on another relay (undefined: none there). */
  claim(key: string, userId: number): Promise<PairClaim | undefined>;
  /** Confirms or rejects a claim held by another relay (undefined: no such claim there). */
  confirm(claimId: string, userId: number): Promise<Device | null | undefined>;
  reject(claimId: string, userId: number): Promise<boolean | undefined>;
}

export const PAIRING_UNAVAILABLE = "Pairing is unavailable right now: the relay cannot reach Redis, where it counts wrong codes. Try again in a minute.";

export type Redeem =
  | { ok: true; machine: PairClaim }
  | { ok: false; reason: "invalid" | "locked" | "paused"; until?: number; justLocked?: number; justPaused?: number }
  /** The limits could not be counted (Redis unreachable): refused, since unlimited guessing is worse. */
  | { ok: false; reason: "unavailable" };

/**
 * Machines waiting to be paired. A code lives only as long as its machine's pairing connection
 * (at most 10 minutes); redeeming it only *claims* the machine for that owner, who must then
 * confirm on a card showing the machine's facts. Wrong codes count towards PairLimits.
 */
export class Pairing {
  private pending = new Map<string, Entry>();
  readonly limits: PairLimits;
  /** Machines waiting on other relay instances (none in a single relay). */
  private remote: RemotePairing | undefined;

  constructor(
    private readonly repo: Store,
    private readonly clock: Clock,
    /** Where wrong codes are counted (default: this relay's memory). */
    counters?: Counters,
    private readonly log?: Log,
  ) {
    this.limits = new PairLimits(clock, counters);
  }

  connectRemote(remote: RemotePairing): void {
    this.remote = remote;
  }

  open(link: AgentLink, name: string, facts: MachineFacts, fingerprint: string): { code: string; secret: string; expiresAt: number } | { error: string } {
    this.close(link);
    if (this.pending.size >= MAX_PENDING) return { error: "too many machines are waiting to pair right now; try again in a few minutes" };
    if ([...this.pending.values()].filter((p) => p.ip === link.ip).length >= MAX_PENDING_PER_IP) {
      return { error: "too many machines from this address are waiting to pair; finish or cancel those first" };
    }
    let code = newPairCode();
    while (this.pending.has(code)) code = newPairCode();
    const expiresAt = this.clock.now() + PAIR_CODE_TTL_MS;
    const cancelExpiry = this.clock.schedule(PAIR_CODE_TTL_MS, () => this.end(code, "the pairing code expired after 10 minutes; run `ra pair` again"));
    const entry: Entry = { claimId: shortId(), link, name, facts, ip: link.ip, fingerprint, expiresAt, code, secret: shortId(16), cancelExpiry };
    this.pending.set(code, entry);
    this.remote?.opened(keysOf(entry), PAIR_CODE_TTL_MS);
    return { code, secret: entry.secret, expiresAt };
  }

  /** The machine hung up: its code dies with it. */
  close(link: AgentLink): void {
    for (const [code, p] of this.pending) if (p.link === link) this.drop(code);
  }

  /** A typed code or a deep-link secret from an allowed user: claims the machine for confirmation. */
  async redeem(input: string, userId: number): Promise<Redeem> {
    try {
      return await this.tryRedeem(input, userId);
    } catch (err) {
      this.log?.error(`cannot count pairing attempts, so pairing is refused: ${(err as Error).message}`);
      return { ok: false, reason: "unavailable" };
    }
  }

  private async tryRedeem(input: string, userId: number): Promise<Redeem> {
    const blocked = await this.limits.blocked(userId);
    if (blocked) return { ok: false, reason: blocked.reason, until: blocked.until };
    const key = keyOf(input);
    const machine = key === undefined ? undefined : (this.claim(key, userId) ?? (await this.remote?.claim(key, userId)));
    if (!machine) {
      const { locked, paused } = await this.limits.fail(userId);
      return { ok: false, reason: "invalid", ...(locked ? { justLocked: locked } : {}), ...(paused ? { justPaused: paused } : {}) };
    }
    // The claim stands even if forgiving the earlier mistakes fails: they only age out later.
    await this.limits.succeed(userId).catch((err) => this.log?.warn(`could not forget ${userId}'s wrong pairing codes: ${(err as Error).message}`));
    return { ok: true, machine };
  }

  /**
   * Claims the machine waiting here under `key` (see RemotePairing) for `userId`, without counting
   * anything: the relay the owner typed the code on counts. Synchronous from the lookup to the
   * claim, so two redemptions of one code cannot both claim it.
   */
  claim(key: string, userId: number): PairClaim | undefined {
    const entry = this.lookup(key);
    if (!entry || entry.expiresAt <= this.clock.now() || (entry.claimedBy !== undefined && entry.claimedBy !== userId)) return undefined;
    entry.claimedBy = userId;
    entry.expiresAt = Math.min(entry.expiresAt, this.clock.now() + CONFIRM_WINDOW_MS);
    const { claimId, name, facts, ip, fingerprint, expiresAt, claimedBy } = entry;
    return { claimId, name, facts, ip, fingerprint, expiresAt, claimedBy };
  }

  /** [Pair] on the confirmation card: mints the device and hands its token to the waiting machine. */
  async confirm(claimId: string, userId: number): Promise<Device | null> {
    if (!this.byClaim(claimId)) return (await this.remote?.confirm(claimId, userId)) ?? null;
    return this.confirmHere(claimId, userId);
  }

  /** Confirms a claim of a machine waiting on this relay. */
  async confirmHere(claimId: string, userId: number): Promise<Device | null> {
    const entry = this.byClaim(claimId);
    if (!entry || entry.claimedBy !== userId || entry.expiresAt <= this.clock.now()) return null;
    this.drop(entry.code);
    const token = newDeviceToken();
    const device: Device = {
      id: shortId(),
      name: await this.uniqueName(userId, entry.name),
      ownerId: userId,
      tokenHash: sha256(token),
      hostname: entry.facts.hostname,
      os: entry.facts.os,
      arch: entry.facts.arch,
      osUser: entry.facts.user,
      agentVersion: entry.facts.agentVersion,
      createdAt: this.clock.now(),
      lastSeenAt: null,
    };
    await this.repo.addDevice(device);
    entry.link.send({ type: "pair.done", deviceId: device.id, name: device.name, token });
    entry.link.close(CloseCode.pairingOver, "paired");
    return device;
  }

  /** [Reject]: the machine is told and its code is gone. */
  async reject(claimId: string, userId: number): Promise<boolean> {
    if (!this.byClaim(claimId)) return (await this.remote?.reject(claimId, userId)) ?? false;
    return this.rejectHere(claimId, userId);
  }

  /** Rejects a claim of a machine waiting on this relay. */
  rejectHere(claimId: string, userId: number): boolean {
    const entry = this.byClaim(claimId);
    if (!entry || entry.claimedBy !== userId) return false;
    this.end(entry.code, "the owner rejected this pairing in Telegram");
    return true;
  }

  private lookup(key: string): Entry | undefined {
    if (key.startsWith("s:")) return [...this.pending.values()].find((p) => p.secret === key.slice(2));
    return key.startsWith("c:") ? this.pending.get(key.slice(2)) : undefined;
  }

  private byClaim(claimId: string): Entry | undefined {
    return [...this.pending.values()].find((p) => p.claimId === claimId);
  }

  private end(code: string, reason: string): void {
    const entry = this.pending.get(code);
    if (!entry) return;
    this.drop(code);
    entry.link.send({ type: "pair.rejected", reason });
    entry.link.close(CloseCode.pairingOver, "pairing over");
  }

  private drop(code: string): void {
    const entry = this.pending.get(code);
    if (!entry) return;
    entry.cancelExpiry();
    this.pending.delete(code);
    this.remote?.ended(keysOf(entry));
  }

  private async uniqueName(ownerId: number, wanted: string): Promise<string> {
    const taken = new Set((await this.repo.devicesOf(ownerId)).map((d) => d.name.toLowerCase()));
    if (!taken.has(wanted.toLowerCase())) return wanted;
    for (let i = 2; ; i++) if (!taken.has(`${wanted}-${i}`.toLowerCase())) return `${wanted}-${i}`;
  }
}

/** What a typed code or a deep-link start parameter looks up (undefined: cannot be a code). */
function keyOf(input: string): string | undefined {
  const trimmed = input.trim();
  if (trimmed.startsWith("pair_")) return trimmed.length > 5 ? `s:${trimmed.slice(5)}` : undefined;
  const code = normalizePairCode(trimmed);
  return code ? `c:${code}` : undefined;
}

const keysOf = (entry: Entry) => [`c:${entry.code}`, `s:${entry.secret}`, `k:${entry.claimId}`];
