import type { Bot } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { AUTO_SCOPES, formatMinutes, SCOPE_NAMES, type AutoGrant } from "../core/auto-approve";
import { plain } from "../format";
import type { Device } from "../store/types";
import { encodeCallback, type CallbackOf } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { NO_DEVICE, type Targets } from "./targets";

const MAX_MINUTES = 24 * 60;
const MAX_CENTS = 100 * 100;
const USAGE = "Send /auto 30m, /auto $2 or /auto 1h $5 (a time, a spend, or both), /auto off to end it, or /auto to see it.";
const ALL_SCOPES = 0b111;

/** "30m", "2h", "$2", "1h $5" → the limits; a message saying what is wrong otherwise. */
export function parseBudget(text: string): { minutes: number; cents: number } | { error: string } {
  let minutes = 0;
  let cents = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const time = word.match(/^(\d{1,4})(m|min|h)$/i);
    const money = word.match(/^\$(\d{1,3}(?:\.\d{1,2})?)$/);
    if (time) minutes = Number(time[1]) * (time[2]!.toLowerCase() === "h" ? 60 : 1);
    else if (money) cents = Math.round(Number(money[1]) * 100);
    else return { error: `"${word}" is neither a time (30m, 2h) nor a spend ($2). ${USAGE}` };
  }
  if (minutes === 0 && cents === 0) return { error: `Give a time or a spend that ends it. ${USAGE}` };
  if (minutes > MAX_MINUTES) return { error: "At most 24h at a time; start another after." };
  if (cents > MAX_CENTS) return { error: "At most $100 at a time; start another after." };
  return { minutes, cents };
}

const limitText = (minutes: number, cents: number) =>
  [minutes ? `for ${formatMinutes(minutes * 60_000)}` : "", cents ? `up to $${(cents / 100).toFixed(2)}` : ""].filter(Boolean).join(", ");

/** /auto: budgeted auto-approve for the chat's session with its machine (see core/auto-approve). */
export function registerAutoCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger, clock } = deps;
  const say = replier(messenger);

  const picker = (device: Device, minutes: number, cents: number, scopes: number): InlineKeyboardMarkup => {
    const data = (action: CallbackOf<"auto">["action"]) => encodeCallback({ kind: "auto", minutes, cents, scopes, deviceId: device.id, action });
    const toggles = AUTO_SCOPES.map((scope, i) => [{ text: `${scopes & (1 << i) ? "✅" : "⬜"} ${SCOPE_NAMES[scope]}`, callback_data: data(`t${i}` as "t0") }]);
    return { inline_keyboard: [...toggles, [{ text: "▶ Start", callback_data: data("go") }, { text: "✖ Cancel", callback_data: data("no") }]] };
  };
  const pickerText = (device: Device, minutes: number, cents: number) =>
    `Auto-approve on ${device.name} ${limitText(minutes, cents)}: tap what may run without asking, then Start. Anything else still asks; every call is in /audit; /auto off ends it at once.`;

  const status = (grant: AutoGrant, device: Device) => {
    const left = grant.until !== undefined ? `${formatMinutes(Math.max(0, grant.until - clock.now()))} left` : "";
    const spend = grant.budgetUsd !== undefined ? `$${grant.spentUsd.toFixed(2)} of $${grant.budgetUsd.toFixed(2)} spent` : "";
    return `🤖 Auto-approve on ${device.name}: ${grant.scopes.map((s) => SCOPE_NAMES[s]).join(", ")} · ${[left, spend].filter(Boolean).join(" · ")}. /auto off ends it.`;
  };

  bot.command("auto", async (ctx) => {
    const device = await t.target(ctx);
    if (device === "none") return say(ctx, NO_DEVICE);
    if (device === "choose") return say(ctx, "Pick the machine first (tap one), then send /auto again:", await t.chooser(ctx.user!));
    const session = await core.turns.session(ctx.chat.id, device.id, await t.topicSession(ctx));
    const arg = ctx.match.trim();
    if (arg.toLowerCase() === "off") {
      return say(ctx, await core.auto.end(session.id) ? `Auto-approve on ${device.name} is off: every tool call asks again.` : `Auto-approve on ${device.name} was not on.`);
    }
    if (!arg) {
      const grant = await core.auto.of(session.id);
      return say(ctx, grant && !core.auto.exhausted(grant) ? status(grant, device) : `Auto-approve on ${device.name} is off. ${USAGE}`);
    }
    const budget = parseBudget(arg);
    if ("error" in budget) return say(ctx, budget.error);
    return say(ctx, pickerText(device, budget.minutes, budget.cents), picker(device, budget.minutes, budget.cents, ALL_SCOPES));
  });

  deps.router.on("auto", async (ctx, tap) => {
    const device = await t.byId(ctx, tap.deviceId);
    const messageId = ctx.callbackQuery?.message?.message_id;
    if (!device || messageId === undefined) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    const chatId = ctx.chat!.id;
    if (tap.action === "no") {
      await messenger.edit(chatId, messageId, plain("Auto-approve not started."));
      return ctx.answerCallbackQuery();
    }
    if (tap.action !== "go") {
      const scopes = tap.scopes ^ (1 << Number(tap.action.slice(1)));
      await messenger.edit(chatId, messageId, plain(pickerText(device, tap.minutes, tap.cents)), { markup: picker(device, tap.minutes, tap.cents, scopes) });
      return ctx.answerCallbackQuery();
    }
    const scopes = AUTO_SCOPES.filter((_, i) => tap.scopes & (1 << i));
    if (scopes.length === 0) return ctx.answerCallbackQuery({ text: "Tick at least one kind of call first.", show_alert: true });
    const session = await core.turns.session(chatId, device.id, await t.topicSession(ctx));
    const now = clock.now();
    const grant: AutoGrant = {
      sessionId: session.id,
      scopes: [...scopes],
      ...(tap.minutes ? { until: now + tap.minutes * 60_000 } : {}),
      ...(tap.cents ? { budgetUsd: tap.cents / 100 } : {}),
      spentUsd: 0,
      grantedBy: ctx.from!.id,
      grantedAt: now,
    };
    await core.auto.grant(grant);
    await messenger.edit(chatId, messageId, plain(status(grant, device)));
    return ctx.answerCallbackQuery({ text: "Auto-approve started" });
  });
}
