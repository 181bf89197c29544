import type { InlineKeyboardMarkup } from "grammy/types";
import { deviceState, mayDrive, visibleDevices } from "../core/devices";
import type { Device, User } from "../store/types";
import { code, concatFormatted, plain } from "../format";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import type { HandlerDeps } from "./handler-deps";
import { threadOfUpdate } from "./topics";

export const NO_DEVICE = concatFormatted(plain("No machine is paired yet. On the machine, run "), code("ra pair --relay <relay URL> --name laptop"), plain(" and send me the /pair command it prints."));

/** What to say when a command has no machine to act on: none paired, or several and none selected. */
export const noTarget = (why: "none" | "choose") => (why === "none" ? NO_DEVICE : "Select a machine first with /devices.");

/** Which machine an update is about, and how machines are shown in buttons and lists. */
export function targets({ core, topics }: Pick<HandlerDeps, "core" | "topics">) {
  const state = (d: Device) => deviceState(core.hub, core.turns, d);
  const dot = async (d: Device) => ({ online: "🟢", busy: "🟡", offline: "⚫" })[await state(d)];
  const visible = (ctx: RaContext) => visibleDevices(core.store, ctx.user!);
  /** Names are unique per person only: an owner sees other people's machines as "laptop (Bob)". */
  const label = async (d: Device, viewer: User | undefined) => {
    if (!viewer || d.ownerId === viewer.telegramId) return d.name;
    const owner = await core.store.user(d.ownerId);
    return `${d.name} (${owner?.name.split(/\s+/)[0] || d.ownerId})`;
  };
  /** One button per machine, each on its own row: "🟢 laptop (Bob)". */
  const buttons = async (devices: Device[], viewer: User | undefined, data: (d: Device) => string): Promise<InlineKeyboardMarkup> => ({
    inline_keyboard: await Promise.all(devices.map(async (d) => [{ text: `${await dot(d)} ${await label(d, viewer)}`, callback_data: data(d) }])),
  });
  return {
    state,
    dot,
    visible,
    label,
    buttons,
    /** The visible machine with this id (a button's), or undefined when it is gone or not theirs. */
    byId: async (ctx: RaContext, id: string) => {
      const device = await core.store.device(id);
      return device && mayDrive(ctx.user!, device) ? device : undefined;
    },
    /**
     * The visible machine a typed name means: the one machine with that bare name, or the one with
     * that label ("laptop (Bob)"). A bare name several machines share (yours and Bob's) picks none
     * of them: it is `ambiguous`, and the caller asks which.
     */
    async find(ctx: RaContext, typed: string): Promise<{ device: Device } | { ambiguous: Device[] } | { none: Device[] }> {
      const devices = await visible(ctx);
      const wanted = typed.trim().toLowerCase();
      const byName = devices.filter((d) => d.name.toLowerCase() === wanted);
      if (byName.length > 1) return { ambiguous: byName };
      let match = byName[0];
      for (const d of devices) if (!match && (await label(d, ctx.user)).toLowerCase() === wanted) match = d;
      return match ? { device: match } : { none: devices };
    },
    /** The machine a plain prompt goes to: the topic's, the selected one, or the only one. */
    async target(ctx: RaContext): Promise<Device | "none" | "choose"> {
      const selected = (await topics?.deviceOf(ctx.chat!.id, threadOfUpdate(ctx))) ?? (await core.store.selectedDevice(ctx.chat!.id));
      // Every prompt asks this: one row, whatever the number of machines.
      const chosen = selected ? await core.store.device(selected) : undefined;
      if (chosen && mayDrive(ctx.user!, chosen)) return chosen;
      const devices = await visible(ctx);
      if (devices.length === 0) return "none";
      return devices.length === 1 ? devices[0]! : "choose";
    },
    /** The conversation whose own topic the update came from: commands there act on it. */
    topicSession: async (ctx: RaContext) => (await topics?.sessionOf(ctx.chat!.id, threadOfUpdate(ctx)))?.id,
    async chooser(user: User): Promise<InlineKeyboardMarkup> {
      return buttons(await visibleDevices(core.store, user), user, (d) => encodeCallback({ kind: "use", deviceId: d.id }));
    },
  };
}

export type Targets = ReturnType<typeof targets>;
