import { CloseCode, encode, type RelayFrame } from "../../proto";

type Outgoing = Parameters<typeof encode<RelayFrame>>[0];

/** One live WebSocket to an agent (or to a machine waiting to pair). */
export interface AgentLink {
  readonly id: string;
  readonly ip: string;
  deviceId?: string;
  send(frame: Outgoing): void;
  close(code: number, reason: string): void;
}

/** Which device is connected where. A second connection for a device replaces the first. */
export class Hub {
  private links = new Map<string, AgentLink>();

  attach(deviceId: string, link: AgentLink): void {
    const old = this.links.get(deviceId);
    link.deviceId = deviceId;
    this.links.set(deviceId, link);
    if (old && old !== link) old.close(CloseCode.replaced, "replaced by a newer connection of the same device");
  }

  /** Returns true when this link was the device's current one (so the device is now offline). */
  detach(link: AgentLink): boolean {
    if (!link.deviceId || this.links.get(link.deviceId) !== link) return false;
    this.links.delete(link.deviceId);
    return true;
  }

  online(deviceId: string): boolean {
    return this.links.has(deviceId);
  }

  send(deviceId: string, frame: Outgoing): boolean {
    const link = this.links.get(deviceId);
    if (!link) return false;
    link.send(frame);
    return true;
  }

  disconnect(deviceId: string, code: number, reason: string): void {
    const link = this.links.get(deviceId);
    if (!link) return;
    this.links.delete(deviceId);
    link.close(code, reason);
  }

  closeAll(code: number, reason: string): void {
    for (const link of this.links.values()) link.close(code, reason);
    this.links.clear();
  }
}
