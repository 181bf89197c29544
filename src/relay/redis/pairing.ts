import type { RedisClient } from "bun";
import { z } from "../../proto/zod";
import type { PairClaim, Pairing, RemotePairing } from "../core/pairing";
import type { Device } from "../store/types";
import type { RedisDevices } from "./devices";

const Claim = z.object({ key: z.string(), userId: z.number() });
const Decide = z.object({ claimId: z.string(), userId: z.number() });

/**
 * Pairing across relay instances: a machine waiting to pair is connected to one relay, and the
 * owner's code may reach another (the one leading the bot, or the web app on a third). Each
 * waiting machine's keys (code, deep-link secret, claim id) point to its relay in Redis
 * (`ra:pair:<key>`, expiring with the code); the claim, the confirmation and the rejection are
 * asked of that relay through its inbox, where the machine's connection is.
 */
export class RedisPairing implements RemotePairing {
  constructor(
    private readonly redis: RedisClient,
    private readonly devices: Pick<RedisDevices, "id" | "ask" | "answer">,
    pairing: Pick<Pairing, "claim" | "confirmHere" | "rejectHere">,
  ) {
    devices.answer("pair.claim", (args) => {
      const { key, userId } = Claim.parse(args);
      return pairing.claim(key, userId);
    });
    devices.answer("pair.confirm", (args) => {
      const { claimId, userId } = Decide.parse(args);
      return pairing.confirmHere(claimId, userId);
    });
    devices.answer("pair.reject", (args) => {
      const { claimId, userId } = Decide.parse(args);
      return pairing.rejectHere(claimId, userId);
    });
  }

  opened(keys: string[], ttlMs: number): void {
    for (const key of keys) void this.redis.send("SET", [pairKey(key), this.devices.id, "PX", String(ttlMs)]).catch(() => {});
  }

  ended(keys: string[]): void {
    void this.redis.send("DEL", keys.map(pairKey)).catch(() => {});
  }

  async claim(key: string, userId: number): Promise<PairClaim | undefined> {
    const at = await this.where(key);
    return at ? ((await this.devices.ask(at, "pair.claim", { key, userId })) as PairClaim | undefined) : undefined;
  }

  async confirm(claimId: string, userId: number): Promise<Device | null | undefined> {
    const at = await this.where(`k:${claimId}`);
    return at ? ((await this.devices.ask(at, "pair.confirm", { claimId, userId })) as Device | null | undefined) : undefined;
  }

  async reject(claimId: string, userId: number): Promise<boolean | undefined> {
    const at = await this.where(`k:${claimId}`);
    return at ? ((await this.devices.ask(at, "pair.reject", { claimId, userId })) as boolean | undefined) : undefined;
  }

  /** The other relay where the machine under `key` waits (none: here, or nowhere). */
  private async where(key: string): Promise<string | undefined> {
    const at = (await this.redis.send("GET", [pairKey(key)])) as string | null;
    return at && at !== this.devices.id ? at : undefined;
  }
}

const pairKey = (key: string) => `ra:pair:${key}`;
