import { visibleDevices } from "../core/devices";
import type { Core } from "../core";
import type { Callback } from "./callback-data";
import type { RaContext } from "./context";

/** Taps on cards of a machine the presser may not see (approvals, Stop/Cancel of a turn) stop here. */
export const cardOwnerGuard = (core: Core) => (ctx: RaContext, data: Callback): string | undefined => {
  let deviceId: string | undefined;
  if (data.kind === "approval") deviceId = core.store.approval(data.approvalId)?.deviceId;
  else if (data.kind === "stop" || data.kind === "cancel") {
    const turn = core.store.turn(data.turnId);
    deviceId = turn ? core.store.session(turn.sessionId)?.deviceId : undefined;
  } else return undefined;
  if (deviceId === undefined || visibleDevices(core.store, ctx.user!).some((d) => d.id === deviceId)) return undefined;
  return "This card is not yours.";
};
