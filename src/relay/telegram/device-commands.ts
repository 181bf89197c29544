import { ago } from "./session-label";
import type { Bot } from "grammy";
import { untrusted } from "../../log";
import type { Device } from "../store/types";
import { plain } from "../format";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { NO_DEVICE, type Targets } from "./targets";

/** /devices, /use NAME and /revoke NAME, with the buttons they show. */
export function registerDevices(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger } = deps;
  const say = replier(messenger);

  bot.command("devices", async (ctx) => {
    const devices = await t.visible(ctx);
    if (devices.length === 0) return say(ctx, NO_DEVICE);
    const selected = await t.target(ctx);
    const lines = await Promise.all(devices.map(async (d) => {
      const seen = core.hub.online(d.id) ? "" : d.lastSeenAt ? ` · last seen ${ago(deps.clock.now() - d.lastSeenAt)}` : " · never connected";
      const mark = typeof selected === "object" && selected.id === d.id ? " ← prompts go here" : "";
      return `${await t.dot(d)} ${await t.label(d, ctx.user)} – ${await t.state(d)}${seen}${mark}`;
    }));
    const rows = await Promise.all(devices.map(async (d) => [
      { text: `${await t.dot(d)} ${await t.label(d, ctx.user)}`, callback_data: encodeCallback({ kind: "use", deviceId: d.id }) },
      { text: "🗑 Revoke", callback_data: encodeCallback({ kind: "revoke", deviceId: d.id, step: "?" }) },
    ]));
    return say(ctx, lines.join("\n"), { inline_keyboard: rows });
  });

  const askRevoke = async (ctx: RaContext, device: Device) =>
    say(ctx, `Revoke ${await t.label(device, ctx.user)} (${device.hostname})? Its agent is disconnected at once, its running turn stops, and it must be paired again to come back.`, {
      inline_keyboard: [[
        { text: `🗑 Yes, revoke ${await t.label(device, ctx.user)}`, callback_data: encodeCallback({ kind: "revoke", deviceId: device.id, step: "y" }) },
        { text: "Cancel", callback_data: encodeCallback({ kind: "revoke", deviceId: device.id, step: "n" }) },
      ]],
    });

  /** Several visible machines share the typed name: none is picked, the person taps the one they mean. */
  const askWhich = async (ctx: RaContext, typed: string, choices: Device[], button: (d: Device) => string) =>
    say(ctx, `${choices.length} machines are called "${typed}". Tap the one you mean:`, await t.buttons(choices, ctx.user, button));

  bot.command("revoke", async (ctx) => {
    const typed = ctx.match.trim();
    if (!typed) return say(ctx, "Which machine? Send /revoke NAME, or use the buttons in /devices.");
    const found = await t.find(ctx, typed);
    if ("ambiguous" in found) return askWhich(ctx, typed, found.ambiguous, (d) => encodeCallback({ kind: "revoke", deviceId: d.id, step: "?" }));
    if ("none" in found) return say(ctx, `No machine called "${typed}". /devices lists yours.`);
    return askRevoke(ctx, found.device);
  });

  bot.command("use", async (ctx) => {
    const typed = ctx.match.trim();
    const devices = await t.visible(ctx);
    if (devices.length === 0) return say(ctx, NO_DEVICE);
    if (!typed) return say(ctx, "Which machine? Tap one:", await t.chooser(ctx.user!));
    const found = await t.find(ctx, typed);
    if ("ambiguous" in found) return askWhich(ctx, typed, found.ambiguous, (d) => encodeCallback({ kind: "use", deviceId: d.id }));
    if ("none" in found) return say(ctx, `No machine called "${typed}". Yours: ${(await Promise.all(devices.map((d) => t.label(d, ctx.user)))).join(", ")}.`);
    await core.store.selectDevice(ctx.chat.id, found.device.id);
    return say(ctx, `Prompts now go to ${await t.label(found.device, ctx.user)} (${await t.state(found.device)}).`);
  });

  deps.router.on("admit", async (ctx, { deviceId }) => {
    const device = await t.byId(ctx, deviceId);
    if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    core.hub.admitNext(device.id);
    deps.log.info(`${untrusted(device.name)}: the next connection may replace the current one (allowed by ${ctx.from!.id})`);
    return ctx.answerCallbackQuery({ text: `The next ra agent that connects as ${await t.label(device, ctx.user)} (within 10 minutes) takes over.`, show_alert: true });
  });

  deps.router.on("revoke", async (ctx, { deviceId, step }) => {
    const chatId = ctx.chat!.id;
    const device = await t.byId(ctx, deviceId);
    if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    if (step === "?") {
      await ctx.answerCallbackQuery();
      return askRevoke(ctx, device);
    }
    const message = ctx.callbackQuery!.message?.message_id;
    if (step !== "y") {
      await ctx.answerCallbackQuery({ text: "Kept" });
      if (message) await messenger.edit(chatId, message, plain(`${await t.label(device, ctx.user)} stays paired.`));
      return;
    }
    await core.machines.revoke(device);
    deps.log.info(`${untrusted(device.name)} revoked by ${ctx.from!.id}`);
    await ctx.answerCallbackQuery({ text: `${await t.label(device, ctx.user)} revoked` });
    if (message) await messenger.edit(chatId, message, plain(`🗑 ${await t.label(device, ctx.user)} is revoked: disconnected, and its token no longer works.`));
  });
}

