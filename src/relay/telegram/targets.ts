import type { InlineKeyboardMarkup } from "grammy/types";
import { deviceState, visibleDevices } from "../core/devices";
import type { Device, User } from "../store/types";
import { code, concatFormatted, plain } from "../format";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import type { HandlerDeps } from "./handler-deps";
import { threadOfUpdate } from "./topics";

export const NO_DEVICE = concatFormatted(plain("No machine is paired yet. On the machine, run "), code("ra pair --relay <relay URL> --name laptop"), plain(" and send me the /pair command it prints."));

/** Which machine an update is about, and how machines are shown in buttons and lists. */
export function targets({ core, topics }: Pick<HandlerDeps, "core" | "topics">) {
  const state = (d: Device) => deviceState(core.hub, core.turns, d);
  const dot = (d: Device) => ({ online: "🟢", busy: "🟡", offline: "⚫" })[state(d)];
  const visible = (ctx: RaContext) => visibleDevices(core.store, ctx.user!);
  return {
    state,
    dot,
    visible,
    /** The machine a plain prompt goes to: the topic's, the selected one, or the only one. */
    target(ctx: RaContext): Device | "none" | "choose" {
      const devices = visible(ctx);
      const selected = topics?.deviceOf(ctx.chat!.id, threadOfUpdate(ctx)) ?? core.store.selectedDevice(ctx.chat!.id);
      const chosen = devices.find((d) => d.id === selected);
      if (chosen) return chosen;
      if (devices.length === 0) return "none";
      return devices.length === 1 ? devices[0]! : "choose";
    },
    chooser(user: User): InlineKeyboardMarkup {
      return { inline_keyboard: visibleDevices(core.store, user).map((d) => [{ text: `${dot(d)} ${d.name}`, callback_data: encodeCallback({ kind: "use", deviceId: d.id }) }]) };
    },
  };
}

export type Targets = ReturnType<typeof targets>;
