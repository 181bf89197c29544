import type { Bot } from "grammy";
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
    const devices = t.visible(ctx);
    if (devices.length === 0) return say(ctx, NO_DEVICE);
    const selected = t.target(ctx);
    const lines = devices.map((d) => {
      const seen = core.hub.online(d.id) ? "" : d.lastSeenAt ? ` · last seen ${ago(deps.clock.now() - d.lastSeenAt)}` : " · never connected";
      const mark = typeof selected === "object" && selected.id === d.id ? " ← prompts go here" : "";
      return `${t.dot(d)} ${d.name} – ${t.state(d)}${seen}${mark}`;
    });
    const rows = devices.map((d) => [
      { text: `${t.dot(d)} ${d.name}`, callback_data: encodeCallback({ kind: "use", deviceId: d.id }) },
      { text: "🗑 Revoke", callback_data: encodeCallback({ kind: "revoke", deviceId: d.id, step: "?" }) },
    ]);
    return say(ctx, lines.join("\n"), { inline_keyboard: rows });
  });

  const askRevoke = (ctx: RaContext, device: Device) =>
    say(ctx, `Revoke ${device.name} (${device.hostname})? Its agent is disconnected at once, its running turn stops, and it must be paired again to come back.`, {
      inline_keyboard: [[
        { text: `🗑 Yes, revoke ${device.name}`, callback_data: encodeCallback({ kind: "revoke", deviceId: device.id, step: "y" }) },
        { text: "Cancel", callback_data: encodeCallback({ kind: "revoke", deviceId: device.id, step: "n" }) },
      ]],
    });

  bot.command("revoke", async (ctx) => {
    const name = ctx.match.trim().toLowerCase();
    const device = t.visible(ctx).find((d) => d.name.toLowerCase() === name);
    if (!device) return say(ctx, name ? `No machine called "${ctx.match.trim()}". /devices lists yours.` : "Which machine? Send /revoke NAME, or use the buttons in /devices.");
    return askRevoke(ctx, device);
  });

  bot.command("use", async (ctx) => {
    const name = ctx.match.trim().toLowerCase();
    const devices = t.visible(ctx);
    const device = devices.find((d) => d.name.toLowerCase() === name);
    if (!device) {
      const known = devices.map((d) => d.name).join(", ");
      if (!known) return say(ctx, NO_DEVICE);
      return say(ctx, name ? `No machine called "${ctx.match.trim()}". Yours: ${known}.` : "Which machine? Tap one:", t.chooser(ctx.user!));
    }
    core.store.selectDevice(ctx.chat.id, device.id);
    return say(ctx, `Prompts now go to ${device.name} (${t.state(device)}).`);
  });

  deps.router.on("revoke", async (ctx, { deviceId, step }) => {
    const chatId = ctx.chat!.id;
    const device = t.visible(ctx).find((d) => d.id === deviceId);
    if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    if (step === "?") {
      await ctx.answerCallbackQuery();
      return askRevoke(ctx, device);
    }
    const message = ctx.callbackQuery!.message?.message_id;
    if (step !== "y") {
      await ctx.answerCallbackQuery({ text: "Kept" });
      if (message) await messenger.edit(chatId, message, plain(`${device.name} stays paired.`));
      return;
    }
    core.machines.revoke(device);
    deps.log.info(`"${device.name}" revoked by ${ctx.from!.id}`);
    await ctx.answerCallbackQuery({ text: `${device.name} revoked` });
    if (message) await messenger.edit(chatId, message, plain(`🗑 ${device.name} is revoked: disconnected, and its token no longer works.`));
  });
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
