import { visibleDevices } from "../core/devices";
import type { Core } from "../core";
import type { Callback } from "./callback-data";
import type { RaContext } from "./context";

/** Taps on cards of a machine the presser may not see (approvals, Stop/Cancel of a turn) stop here. */
export const cardOwnerGuard = (core: Core) => async (ctx: RaContext, data: Callback): Promise<string | undefined> => {
  let deviceId: string | undefined;
  if (data.kind === "approval") deviceId = (await core.store.approval(data.approvalId))?.deviceId;
  else if (data.kind === "stop" || data.kind === "cancel") {
    const turn = await core.store.turn(data.turnId);
    deviceId = turn ? (await core.store.session(turn.sessionId))?.deviceId : undefined;
  } else return undefined;
  if (deviceId === undefined || (await visibleDevices(core.store, ctx.user!)).some((d) => d.id === deviceId)) return undefined;
  return "This card is not yours.";
};
