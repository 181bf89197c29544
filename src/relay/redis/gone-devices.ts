import type { RedisClient } from "bun";
import type { Log } from "../../log";
import type { Duty } from "./telegram-lead";

export type GoneDevicesOptions = {
  redis: RedisClient;
  log: Log;
  /** The device's link went down with its killed relay: say it is offline, deny what waited on it. */
  gone(deviceId: string): Promise<void>;
  /** The set's key (tests use their own). */
  key?: string;
};

/**
 * Devices whose relay was killed, handled once across all relays. Every relay that notices the
 * killed one's lease expired adds its devices to the set `ra:gone`; the leading relay takes them
 * out one by one (SPOP hands each to one taker only) and says them offline. A lead that changes
 * meanwhile finds them still there.
 */
export class GoneDevices implements Duty {
  private active = false;
  private draining: Promise<void> | undefined;
  private again: Promise<void> | undefined;
  private readonly key: string;

  constructor(private readonly o: GoneDevicesOptions) {
    this.key = o.key ?? "ra:gone";
  }

  /** A relay noticed this device's holder died (every relay that notices calls it). */
  mark(deviceId: string): Promise<void> {
    return this.o.redis
      .send("SADD", [this.key, deviceId])
      .then(() => this.drain())
      .catch((err) => this.o.log.warn(`could not note ${deviceId} as gone in Redis: ${(err as Error)?.message ?? err}`));
  }

  start(): void {
    this.active = true;
    void this.drain();
  }

  stop(): void {
    this.active = false;
  }

  /** Settles once the devices known gone so far are handled (when leading). */
  drain(): Promise<void> {
    if (!this.active) return Promise.resolve();
    // One marked while a drain was ending is taken by another round.
    if (this.draining) return (this.again ??= this.draining.then(() => ((this.again = undefined), this.drain())));
    this.draining = this.take().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async take(): Promise<void> {
    while (this.active) {
      const deviceId = (await this.o.redis.send("SPOP", [this.key])) as string | null;
      if (!deviceId) return;
      await this.o.gone(deviceId).catch((err) => this.o.log.error(`could not mark ${deviceId} offline after its relay died: ${(err as Error)?.message ?? err}`));
    }
  }
}
