import type { Clock } from "../clock";
import { CloseCode, type MachineFacts } from "../proto";
import type { Device, Repo } from "./db/repo";
import type { AgentLink } from "./hub";
import { newDeviceToken, newPairCode, normalizePairCode, sha256, shortId } from "./secrets";

export const PAIR_CODE_TTL_MS = 10 * 60_000;
const MAX_PENDING = 20;

type Pending = { link: AgentLink; name: string; facts: MachineFacts; expiresAt: number; timer: ReturnType<typeof setTimeout> };

/**
 * Machines waiting to be paired. A code lives only as long as the machine's pairing connection,
 * at most 10 minutes, and is consumed by its first successful redemption.
 */
export class Pairing {
  private pending = new Map<string, Pending>();

  constructor(
    private readonly repo: Repo,
    private readonly clock: Clock,
  ) {}

  /** Returns null when too many machines are waiting (the caller tells the machine to retry). */
  open(link: AgentLink, name: string, facts: MachineFacts): { code: string; expiresAt: number } | null {
    this.close(link);
    if (this.pending.size >= MAX_PENDING) return null;
    let code = newPairCode();
    while (this.pending.has(code)) code = newPairCode();
    const expiresAt = this.clock.now() + PAIR_CODE_TTL_MS;
    const timer = setTimeout(() => {
      if (this.pending.get(code)?.link !== link) return;
      this.pending.delete(code);
      link.send({ type: "pair.rejected", reason: "the pairing code expired after 10 minutes; run `ra pair` again" });
      link.close(CloseCode.pairingOver, "code expired");
    }, PAIR_CODE_TTL_MS);
    this.pending.set(code, { link, name, facts, expiresAt, timer });
    return { code, expiresAt };
  }

  /** The machine hung up: its code dies with it. */
  close(link: AgentLink): void {
    for (const [code, p] of this.pending) {
      if (p.link !== link) continue;
      clearTimeout(p.timer);
      this.pending.delete(code);
    }
  }

  /** Redeems a typed code for a Telegram user; the device and its token go to the waiting machine. */
  redeem(input: string, ownerId: number): Device | null {
    const code = normalizePairCode(input);
    const p = code ? this.pending.get(code) : undefined;
    if (!code || !p || p.expiresAt <= this.clock.now()) return null;
    this.pending.delete(code);
    clearTimeout(p.timer);
    const token = newDeviceToken();
    const device: Device = {
      id: shortId(),
      name: this.uniqueName(ownerId, p.name),
      ownerId,
      tokenHash: sha256(token),
      hostname: p.facts.hostname,
      os: p.facts.os,
      arch: p.facts.arch,
      osUser: p.facts.user,
      agentVersion: p.facts.agentVersion,
      createdAt: this.clock.now(),
      lastSeenAt: null,
    };
    this.repo.addDevice(device);
    p.link.send({ type: "pair.done", deviceId: device.id, name: device.name, token });
    p.link.close(CloseCode.pairingOver, "paired");
    return device;
  }

  private uniqueName(ownerId: number, wanted: string): string {
    const taken = new Set(this.repo.devicesOf(ownerId).map((d) => d.name.toLowerCase()));
    if (!taken.has(wanted.toLowerCase())) return wanted;
    for (let i = 2; ; i++) if (!taken.has(`${wanted}-${i}`.toLowerCase())) return `${wanted}-${i}`;
  }
}
