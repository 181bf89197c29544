import type { Device, Store, User } from "../store/types";
import type { Hub } from "./hub";
import type { Turns } from "./turns";

export type DeviceState = "online" | "busy" | "offline";

/** The machines a person may see and drive: an owner sees all, a user their own. */
export function visibleDevices(store: Store, user: User): Promise<Device[]> {
  return user.role === "owner" ? store.allDevices() : store.devicesOf(user.telegramId);
}

/** The same rule for one machine: without loading every machine. */
export function mayDrive(user: User, device: Device): boolean {
  return user.role === "owner" || device.ownerId === user.telegramId;
}

export async function deviceState(hub: Hub, turns: Turns, device: Device): Promise<DeviceState> {
  return !hub.online(device.id) ? "offline" : (await turns.busy(device.id)) ? "busy" : "online";
}
