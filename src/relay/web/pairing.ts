import type { WebCommand, WebResult } from "../../proto/web";
import type { Core } from "../core";
import { PAIRING_UNAVAILABLE } from "../core/pairing";
import type { User } from "../store/types";
import type { WebSurface } from "./surface";

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
type Answer = Omit<WebResult, "type" | "ref">;

/**
 * Pairing from the browser, the same two steps as /pair in Telegram: the code `ra pair` printed
 * claims the machine (wrong codes count towards the same lockouts), then Pair on a card showing
 * its facts and fingerprint mints the device. Everyone who may see it gets it at once.
 */
export async function pairCommand(core: Core, surface: WebSurface, user: User, command: Extract<WebCommand, { type: "pair" | "pair.confirm" }>): Promise<Answer> {
  const { pairing, store } = core;
  if (command.type === "pair") {
    const result = await pairing.redeem(command.code, user.telegramId);
    if (!result.ok) {
      if (result.reason === "unavailable") return { ok: false, message: PAIRING_UNAVAILABLE };
      if (result.reason === "locked" || result.justLocked) return { ok: false, message: `Too many wrong codes. Pairing is locked for you until ${hhmm(result.until ?? result.justLocked!)} UTC.` };
      if (result.reason === "paused" || result.justPaused) return { ok: false, message: `Pairing is paused until ${hhmm(result.until ?? result.justPaused!)} UTC after too many wrong codes.` };
      return { ok: false, message: "That code is not valid. Codes work once and expire after 10 minutes; run `ra pair` again for a new one." };
    }
    const m = result.machine;
    const machine = { claimId: m.claimId, name: m.name, hostname: m.facts.hostname, os: m.facts.os, arch: m.facts.arch, user: m.facts.user, ip: m.ip, agentVersion: m.facts.agentVersion, fingerprint: m.fingerprint, expiresAt: m.expiresAt };
    return { ok: true, message: "Pair only if the fingerprint matches what `ra pair` printed on your machine.", machine };
  }
  if (!command.accept) {
    return (await pairing.reject(command.claimId, user.telegramId)) ? { ok: true, message: "Pairing rejected; the machine was told." } : { ok: false, message: "This pairing request is over." };
  }
  const device = await pairing.confirm(command.claimId, user.telegramId);
  if (!device) return { ok: false, message: "This pairing request expired or is not yours; run `ra pair` again." };
  if (!await store.selectedDevice(user.telegramId)) {
    await store.selectDevice(user.telegramId, device.id);
    surface.toChat(user.telegramId, { type: "selected", deviceId: device.id });
  }
  void surface.deviceChanged(device.id);
  return { ok: true, message: `${device.name} paired. Start it with \`ra agent\` on the machine.` };
}
