import type { Clock } from "../../clock";
import { CloseCode, encode, type RelayFrame } from "../../proto";

export type Outgoing = Parameters<typeof encode<RelayFrame>>[0];

/** One live WebSocket to an agent (or to a machine waiting to pair). */
export interface AgentLink {
  readonly id: string;
  readonly ip: string;
  deviceId?: string;
  send(frame: Outgoing): void;
  close(code: number, reason: string): void;
}

/**
 * Devices connected to other relay instances (several `ra serve` sharing one Redis). A single
 * relay has none. The Hub asks it only for devices it has no link to itself.
 */
export interface RemoteDevices {
  /** The other live instance holding the device's link, if any. */
  holder(deviceId: string): string | undefined;
  /** Passes the frame to the holder, which sends it on the device's link; in call order per device. */
  send(deviceId: string, frame: Outgoing): void;
  /** Asks the holder whether the device's link answers a ping in time (false when the holder does not answer either). */
  alive(deviceId: string): Promise<boolean>;
  /** This instance now holds the device's link (`link`), or no longer does (undefined). */
  held(deviceId: string, link: AgentLink | undefined): void;
  /** Tells the holder to close the device's link (the device was revoked). */
  disconnect(deviceId: string, code: number, reason: string): void;
}

/** What a refused newcomer is told about the connection that kept the device, when it is on another instance. */
export const ELSEWHERE: Pick<AgentLink, "ip"> = { ip: "another relay instance" };

const REPLACED = "replaced by a newer connection of the same device";

/** How long a connected agent has to answer a ping before a newer connection with its token takes its place. */
export const PROBE_MS = 5000;
/** After the owner chose "let the new one in", how long the next connection may replace the current one. */
export const ADMIT_MS = 10 * 60_000;

export type Claim = { outcome: "attached"; replaced?: AgentLink } | { outcome: "refused"; kept: Pick<AgentLink, "ip"> };

/**
 * Which device is connected where. A device has one connection. A newer one with the same token
 * takes over only when the current one is dead (it does not answer a ping in time) or the owner
 * let it in: a stolen token cannot silently push the real agent out.
 */
export class Hub {
  private links = new Map<string, AgentLink>();
  private probes = new Map<AgentLink, (alive: boolean) => void>();
  private admitted = new Map<string, number>();
  /** Claims of one device, one at a time (two newcomers must not both probe and both win). */
  private queues = new Map<string, Promise<unknown>>();

  /** Devices held by other relay instances (none in a single relay). */
  private remote: RemoteDevices | undefined;

  constructor(private readonly clock: Clock) {}

  /** Several relay instances: devices this one has no link to may be connected to another. */
  connectRemote(remote: RemoteDevices): void {
    this.remote = remote;
  }

  /** Attaches `link` for the device, unless a live connection already holds it. */
  claim(deviceId: string, link: AgentLink): Promise<Claim> {
    const run = (this.queues.get(deviceId) ?? Promise.resolve()).then(() => this.decide(deviceId, link));
    this.queues.set(deviceId, run.catch(() => {}));
    return run;
  }

  /** The owner chose to let the next connection of this device replace the current one. */
  admitNext(deviceId: string): void {
    this.admitted.set(deviceId, this.clock.now() + ADMIT_MS);
  }

  /** A pong arrived on this link: it is alive. */
  pong(link: AgentLink): void {
    this.probes.get(link)?.(true);
  }

  /** Attaches at once, replacing any current link (used where the caller already decided). */
  attach(deviceId: string, link: AgentLink): void {
    const old = this.links.get(deviceId);
    link.deviceId = deviceId;
    this.links.set(deviceId, link);
    this.remote?.held(deviceId, link);
    if (old && old !== link) old.close(CloseCode.replaced, REPLACED);
  }

  /** Returns true when this link was the device's current one (so the device is now offline). */
  detach(link: AgentLink): boolean {
    this.probes.get(link)?.(false);
    if (!link.deviceId || this.links.get(link.deviceId) !== link) return false;
    this.links.delete(link.deviceId);
    this.remote?.held(link.deviceId, undefined);
    return true;
  }

  online(deviceId: string): boolean {
    return this.links.has(deviceId) || this.remote?.holder(deviceId) !== undefined;
  }

  /** Whether the device's link is on this instance. */
  here(deviceId: string): boolean {
    return this.links.has(deviceId);
  }

  /** Where the device is connected from, when it is. */
  ipOf(deviceId: string): string | undefined {
    return this.links.get(deviceId)?.ip;
  }

  /** Sends on the device's link, here or through the instance holding it; false when it is not connected anywhere. */
  send(deviceId: string, frame: Outgoing): boolean {
    if (this.sendHere(deviceId, frame)) return true;
    if (this.remote?.holder(deviceId) === undefined) return false;
    this.remote.send(deviceId, frame);
    return true;
  }

  /** Sends on the device's link on this instance only. */
  sendHere(deviceId: string, frame: Outgoing): boolean {
    const link = this.links.get(deviceId);
    if (!link) return false;
    link.send(frame);
    return true;
  }

  disconnect(deviceId: string, code: number, reason: string): void {
    if (!this.links.has(deviceId)) return this.remote?.disconnect(deviceId, code, reason);
    this.disconnectHere(deviceId, code, reason);
  }

  /** Closes the device's link on this instance, if it has one. */
  disconnectHere(deviceId: string, code: number, reason: string): void {
    const link = this.links.get(deviceId);
    if (!link) return;
    this.links.delete(deviceId);
    link.close(code, reason);
  }

  /** Whether the device's link on this instance answers a ping in time (asked by another instance). */
  async probeHere(deviceId: string): Promise<boolean> {
    const link = this.links.get(deviceId);
    return link !== undefined && (await this.alive(link));
  }

  /** A newer connection of the device on another instance took its place: the one here goes. */
  takenElsewhere(deviceId: string): void {
    this.disconnectHere(deviceId, CloseCode.replaced, REPLACED);
  }

  closeAll(code: number, reason: string): void {
    for (const link of this.links.values()) link.close(code, reason);
    this.links.clear();
  }

  private async decide(deviceId: string, link: AgentLink): Promise<Claim> {
    const current = this.links.get(deviceId);
    const admitted = (this.admitted.get(deviceId) ?? 0) > this.clock.now();
    if (current && !admitted && (await this.alive(current))) return { outcome: "refused", kept: current };
    if (!current && !admitted && this.remote?.holder(deviceId) !== undefined && (await this.remote.alive(deviceId))) return { outcome: "refused", kept: ELSEWHERE };
    if (admitted) this.admitted.delete(deviceId);
    const replaced = this.links.get(deviceId);
    this.attach(deviceId, link);
    return replaced && replaced !== link ? { outcome: "attached", replaced } : { outcome: "attached" };
  }

  /** Pings the link; true when it answers within PROBE_MS. */
  private alive(link: AgentLink): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (answer: boolean) => {
        cancel();
        this.probes.delete(link);
        resolve(answer);
      };
      const cancel = this.clock.schedule(PROBE_MS, () => done(false));
      this.probes.set(link, done);
      try {
        link.send({ type: "ping", t: this.clock.now() });
      } catch {
        done(false);
      }
    });
  }
}
