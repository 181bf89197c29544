import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { ListResult } from "../../proto";
import type { Core } from "../core";
import type { TelegramSide } from "../telegram/bot";
import { RedisDevices } from "./devices";
import { shareFiles } from "./files";
import { GoneDevices } from "./gone-devices";
import { RedisPairing } from "./pairing";
import type { OpenedRedis } from "./open";
import { TelegramLead, type SurfaceFeed } from "./telegram-lead";

/** What this relay brings when it joins the others: its core, its Telegram side and its Telegram surfaces' feed. */
export type JoinParts = { core: Core; telegram: TelegramSide; surfaces: SurfaceFeed; mode: "poll" | "webhook" };

export type Joined = {
  leading(): boolean;
  /** False while this relay lost its place among the others (Redis away): it takes no new machines. */
  member(): boolean;
  stop(): Promise<void>;
};

export type JoinOptions = JoinParts & { redis: OpenedRedis; instance: string; clock: Clock; log: Log; bus: { stop(): Promise<void> } };

/**
 * Makes this relay one of several: devices connected to any relay are reachable from this one
 * (and this one's from the others), one relay at a time leads the Telegram bot and does what must
 * happen once, a machine pairs through whichever relay the owner's code reaches, and a killed
 * relay's devices are said offline once.
 */
export async function joinRelays(o: JoinOptions): Promise<Joined> {
  const { core, redis, instance, clock, log } = o;
  const gone = new GoneDevices({
    redis: redis.client,
    log,
    async gone(deviceId) {
      const device = await core.store.device(deviceId);
      // Back on another relay already: that relay said it online.
      if (device && !core.hub.online(deviceId)) await core.machines.disconnected(device);
    },
  });
  const devices = new RedisDevices({ redis: redis.client, url: redis.url, hub: core.hub, clock, log, id: instance, onDead: (id) => void gone.mark(id) });
  core.hub.connectRemote(devices);
  core.pairing.connectRemote(new RedisPairing(redis.client, devices, core.pairing));
  // A list a machine made for another relay's request (the leader's /cd) goes back to that relay.
  core.lists.connectRemote({ instance, pass: (to, deviceId, result) => void devices.ask(to, "list.result", { deviceId, result }) });
  shareFiles({ redis: redis.client, devices, files: core.files, log });
  devices.answer("list.result", (args) => {
    const { deviceId, result } = args as { deviceId: string; result: ListResult };
    core.lists.answer(deviceId, result);
  });
  await devices.start();
  const lead = new TelegramLead({ redis: redis.client, url: redis.url, instance, clock, log, telegram: o.telegram, mode: o.mode, surfaces: o.surfaces, duties: [core.schedules, gone] });
  lead.start();
  return {
    leading: () => lead.leading,
    member: () => devices.member,
    async stop() {
      await lead.stop();
      await devices.stop();
      await o.bus.stop();
    },
  };
}
