// A relay core on a temporary sqlite store, with machines owned by `owner` that tests pair and
// connect as the hub would (frames sent to each are collected), for the core's unit tests.
import { PROTOCOL_VERSION, type RelayFrame } from "../../src/proto";
import { LocalBus } from "../../src/relay/bus/local";
import { createCore } from "../../src/relay/core";
import type { CoreEvent } from "../../src/relay/core/events";
import type { Device } from "../../src/relay/store/types";
import { tempRelayDb } from "./temp-relay-db";

const facts = { hostname: "box", os: "linux", arch: "x64", user: "me", agentVersion: "test" };
export const silentLog = { debug() {}, info() {}, warn() {}, error() {}, success() {} } as never;

export function coreWithMachines(owner: number) {
  const { repo, clock } = tempRelayDb(1_700_000_000_000);
  const core = createCore({ store: repo, bus: new LocalBus<CoreEvent>(() => {}), clock, log: silentLog, approvalTimeoutMs: 60_000 });
  /** A machine of `owner`'s, not yet stored. */
  const device = (id: string): Device => ({ id, name: id, ownerId: owner, tokenHash: `h-${id}`, hostname: "box", os: "linux", arch: "x64", osUser: "me", agentVersion: "t", createdAt: clock.now(), lastSeenAt: null });
  /** Pairs it and connects it; returns the frames the relay sends it. */
  const connect = async (d: Device) => {
    await repo.addDevice(d);
    const frames: RelayFrame[] = [];
    core.hub.attach(d.id, { id: crypto.randomUUID(), ip: "127.0.0.1", send: (f) => void frames.push(f as RelayFrame), close() {} });
    await core.machines.connected(d, { v: PROTOCOL_VERSION, type: "hello", facts, sessions: [] });
    await core.machines.ready(d);
    return frames;
  };
  return { repo, clock, core, device, connect };
}
