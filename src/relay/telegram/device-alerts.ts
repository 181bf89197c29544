import type { CoreEvent } from "../core/events";
import { bold, concatFormatted, plain } from "../format";
import { encodeCallback } from "./callback-data";
import type { Messenger } from "./messenger";

/**
 * Alerts about a machine itself, not about a turn: a second agent with its token was refused. The
 * machine's owner hears at once, loudly, with the two ways out as buttons.
 */
export class DeviceAlerts {
  constructor(private readonly messenger: Messenger) {}

  readonly handle = (event: CoreEvent): void => {
    if (event.type !== "device.duplicate") return;
    const { device, ip, keptIp } = event;
    void this.messenger.send(device.ownerId, concatFormatted(
      bold(`⚠️ A second ra agent with ${device.name}'s token tried to connect from ${ip}.\n`),
      plain(`${device.name} stays connected from ${keptIp}; the newcomer was refused. If you did not start another agent with a copy of ${device.name}'s config, its token has leaked: revoke ${device.name} and pair the machine again.`),
    ), {
      urgent: true,
      markup: { inline_keyboard: [[
        { text: `🗑 Revoke ${device.name}`, callback_data: encodeCallback({ kind: "revoke", deviceId: device.id, step: "?" }) },
        { text: "Let the new one in", callback_data: encodeCallback({ kind: "admit", deviceId: device.id }) },
      ]] },
    });
  };
}
