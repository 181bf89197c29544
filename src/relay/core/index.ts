import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { Bus } from "../bus/types";
import type { Store } from "../store/types";
import { Approvals } from "./approvals";
import { AutoApprove } from "./auto-approve";
import type { Counters } from "./counters";
import type { CoreEvent } from "./events";
import { FileRequests } from "./files";
import { Hub } from "./hub";
import { ListRequests } from "./lists";
import { MachineLimits } from "./machine-limits";
import { Machines } from "./machines";
import { Pairing } from "./pairing";
import { Schedules } from "./schedules";
import { Turns } from "./turns";

export type CoreOptions = {
  store: Store;
  bus: Bus<CoreEvent>;
  clock: Clock;
  log: Log;
  approvalTimeoutMs: number;
  /** Where the pairing lockouts count (Redis with --redis, shared by the relays); default this relay's memory. */
  counters?: Counters;
};

/** The relay's rules with no surface attached: surfaces subscribe to `bus` and call these. */
export type Core = ReturnType<typeof createCore>;

export function createCore({ store, bus, clock, log, approvalTimeoutMs, counters }: CoreOptions) {
  const hub = new Hub(clock);
  const limits = new MachineLimits();
  // What a machine allows is known on every relay, wherever the machine is connected.
  bus.subscribe((e) => {
    if (e.type === "device.online" && e.limits) limits.set(e.device.id, e.limits);
  });
  const auto = new AutoApprove({ store, clock, limits });
  // A spend limit counts what each turn of the session cost (once, by the instance that ended it).
  bus.subscribeHere((e) => {
    if (e.type === "turn.ended" && e.end.costUsd) void auto.spent(e.turn.sessionId, e.end.costUsd).catch((err) => log.error(`could not count a turn's cost against /auto: ${(err as Error).message}`));
  });
  const approvals = new Approvals({ store, hub, bus, clock, timeoutMs: approvalTimeoutMs, auto });
  const turns = new Turns({ store, hub, bus, clock, approvals, limits });
  const machines = new Machines({ store, hub, bus, clock, log, turns, approvals, limits });
  const pairing = new Pairing(store, clock, counters, log);
  const files = new FileRequests({ hub, clock });
  const lists = new ListRequests({ hub, clock });
  const schedules = new Schedules({ store, clock, hub, bus, turns, log });
  return { store, bus, clock, hub, limits, auto, approvals, turns, machines, pairing, files, lists, schedules, approvalTimeoutMs };
}
