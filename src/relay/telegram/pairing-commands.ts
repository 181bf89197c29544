import type { Bot } from "grammy";
import { untrusted } from "../../log";
import { PAIRING_UNAVAILABLE } from "../core/pairing";
import { bold, code, concatFormatted, plain } from "../format";
import { encodeCallback } from "./callback-data";
import { COMMANDS, USER_COMMANDS } from "./command-list";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { helpText } from "./help";

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** /start and /help, /pair CODE (or the QR code's deep link), and the confirmation card's buttons. */
export function registerPairing(bot: Bot<RaContext>, deps: HandlerDeps): void {
  const { core, messenger } = deps;
  const { store, pairing } = core;
  const say = replier(messenger);

  bot.command(["start", "help"], async (ctx) => {
    const payload = ctx.match?.trim() ?? "";
    if (ctx.message?.text?.startsWith("/start") && payload.startsWith("pair_")) return redeem(ctx, payload);
    return say(ctx, helpText(ctx.user?.role === "owner" ? [...COMMANDS, ...USER_COMMANDS] : COMMANDS));
  });

  const tellOwners = async (text: string) => {
    for (const owner of await store.owners()) await messenger.send(owner.telegramId, plain(text));
  };

  /** A typed code or deep-link secret: claims the machine and shows the confirmation card. */
  const redeem = async (ctx: RaContext, input: string) => {
    const result = await pairing.redeem(input, ctx.user!.telegramId);
    if (!result.ok) {
      if (result.reason === "unavailable") return say(ctx, PAIRING_UNAVAILABLE);
      if (result.justPaused) await tellOwners(`⚠️ Pairing is paused until ${hhmm(result.justPaused)} UTC after 20 wrong pairing codes in 10 minutes.`);
      if (result.reason === "locked" || result.justLocked) return say(ctx, `Too many wrong codes. Pairing is locked for you until ${hhmm(result.until ?? result.justLocked!)} UTC.`);
      if (result.reason === "paused") return say(ctx, `Pairing is paused until ${hhmm(result.until!)} UTC after too many wrong codes.`);
      return say(ctx, "That code is not valid. Codes work once and expire after 10 minutes; run `ra pair` again for a new one.");
    }
    const m = result.machine;
    const facts = [`Machine: ${m.name}`, `Host: ${m.facts.hostname} (${m.facts.os}/${m.facts.arch})`, `User: ${m.facts.user}`, `From: ${m.ip}`, `ra: ${m.facts.agentVersion}`].join("\n");
    return say(ctx, concatFormatted(bold("Pair this machine?\n"), plain(`${facts}\nFingerprint: `), code(m.fingerprint), plain("\n\nPair only if the fingerprint matches what `ra pair` printed on your machine.")), {
      inline_keyboard: [[{ text: "✅ Pair", callback_data: encodeCallback({ kind: "pair", claimId: m.claimId, accept: true }) }, { text: "✖ Reject", callback_data: encodeCallback({ kind: "pair", claimId: m.claimId, accept: false }) }]],
    });
  };

  bot.command("pair", async (ctx) => {
    const input = ctx.match.trim();
    if (!input) return say(ctx, "Send the code `ra pair` printed, like: /pair BCDFG-HJKLM");
    return redeem(ctx, input);
  });

  deps.router.on("pair", async (ctx, { claimId, accept }) => {
    const chatId = ctx.chat!.id;
    const message = ctx.callbackQuery!.message?.message_id;
    if (!accept) {
      await ctx.answerCallbackQuery({ text: (await pairing.reject(claimId, ctx.from!.id)) ? "Rejected" : "This pairing request is over." });
      if (message) await messenger.edit(chatId, message, plain("✖ Pairing rejected; the machine was told."));
      return;
    }
    const device = await pairing.confirm(claimId, ctx.from!.id);
    if (!device) return ctx.answerCallbackQuery({ text: "This pairing request expired or is not yours; run `ra pair` again." });
    await ctx.answerCallbackQuery({ text: `${device.name} paired` });
    if (!await store.selectedDevice(chatId)) await store.selectDevice(chatId, device.id);
    deps.log.success(`paired ${untrusted(device.name)} (${untrusted(device.hostname)}) for user ${ctx.from!.id}`);
    if (message) {
      await messenger.edit(chatId, message, concatFormatted(plain("✅ "), bold(device.name), plain(` paired (${device.hostname}, ${device.os}/${device.arch}). Start it with `), code("ra agent"), plain(" on the machine, then send a prompt here.")));
    }
    for (const owner of await store.owners()) {
      if (owner.telegramId !== ctx.from!.id) await messenger.send(owner.telegramId, plain(`🔔 New machine paired: ${device.name} (${device.hostname}) by ${ctx.from!.first_name}.`));
    }
  });
}
