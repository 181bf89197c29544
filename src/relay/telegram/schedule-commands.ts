import type { Bot } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { describeMoment, describeWhen, parseAt, parseEvery, validTimeZone, wallOf } from "../core/schedule-time";
import { plain } from "../format";
import type { Device, Schedule, ScheduleWhen } from "../store/types";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { NO_DEVICE, type Targets } from "./targets";

const tzKey = (userId: number) => `tz:${userId}`;
const ASK_TZ = "First, which time zone are you in? Send /tz with its name, like /tz Europe/Madrid or /tz America/New_York. Your schedule is made right after.";

/** /every, /at, /schedules and /tz: prompts that run at set times in the owner's time zone. */
export function registerScheduleCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger, clock } = deps;
  const say = replier(messenger);
  /** A schedule asked for before the person's time zone was known, made once /tz gives it. */
  const waiting = new Map<number, { command: "every" | "at"; args: string }>();

  const buttons = (s: Schedule): InlineKeyboardMarkup => ({
    inline_keyboard: [[
      s.missed === "run"
        ? { text: "⏭ Skip when offline", callback_data: encodeCallback({ kind: "schedule", scheduleId: s.id, action: "s" }) }
        : { text: "▶ Run when back online", callback_data: encodeCallback({ kind: "schedule", scheduleId: s.id, action: "r" }) },
      { text: "🗑 Cancel", callback_data: encodeCallback({ kind: "schedule", scheduleId: s.id, action: "x" }) },
    ]],
  });
  const describe = (s: Schedule, device: Device | undefined) => {
    const name = device?.name ?? "a machine no longer paired";
    const offline = s.missed === "run" ? `If ${name} is offline then, it runs when it is back.` : `If ${name} is offline then, that time is skipped.`;
    return `⏰ On ${name}${s.cwd ? ` in ${s.cwd}` : ""}, ${describeWhen(JSON.parse(s.when) as ScheduleWhen, s.timeZone)}: "${s.prompt}"\nNext: ${describeMoment(s.nextAt, s.timeZone)} (${s.timeZone}). ${offline}`;
  };

  const make = async (ctx: RaContext, command: "every" | "at", args: string) => {
    const device = await t.target(ctx);
    if (device === "none") return say(ctx, NO_DEVICE);
    if (device === "choose") return say(ctx, `Pick the machine first (tap one), then send /${command} again:`, await t.chooser(ctx.user!));
    const tz = await core.store.get(tzKey(ctx.from!.id));
    if (!tz) {
      waiting.set(ctx.from!.id, { command, args });
      return say(ctx, ASK_TZ);
    }
    let when: ScheduleWhen;
    let prompt: string;
    if (command === "every") {
      const parsed = parseEvery(args);
      if ("error" in parsed) return say(ctx, parsed.error);
      ({ prompt } = parsed);
      when = { kind: "every", days: parsed.days, hour: parsed.hour, minute: parsed.minute };
    } else {
      const parsed = parseAt(args, tz, clock.now());
      if ("error" in parsed) return say(ctx, parsed.error);
      ({ prompt } = parsed);
      when = { kind: "once", at: parsed.at };
    }
    const session = await core.turns.session(ctx.chat!.id, device.id);
    const schedule = await core.schedules.add({ chatId: ctx.chat!.id, deviceId: device.id, userId: ctx.from!.id, prompt, timeZone: tz, cwd: session.cwd, missed: "run" }, when);
    if (!schedule) return say(ctx, "That time has passed; pick one ahead.");
    return say(ctx, `${describe(schedule, device)}\n/schedules lists and cancels.`, buttons(schedule));
  };

  bot.command("every", async (ctx) => make(ctx, "every", ctx.match));
  bot.command("at", async (ctx) => make(ctx, "at", ctx.match));

  bot.command("tz", async (ctx) => {
    const name = ctx.match.trim();
    const current = await core.store.get(tzKey(ctx.from!.id));
    if (!name) return say(ctx, current ? `Your time zone is ${current}. Change it with /tz NAME, like /tz Europe/Madrid.` : ASK_TZ);
    if (!validTimeZone(name)) return say(ctx, `"${name}" is not a time zone I know. Use an IANA name like Europe/Madrid, America/New_York, Asia/Tokyo or UTC.`);
    const tz = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    await core.store.set(tzKey(ctx.from!.id), tz);
    const now = wallOf(clock.now(), tz);
    await say(ctx, `🕘 Your time zone is ${tz} (it is ${String(now.h).padStart(2, "0")}:${String(now.mi).padStart(2, "0")} there). Schedules you make from now on use it.`);
    const held = waiting.get(ctx.from!.id);
    waiting.delete(ctx.from!.id);
    if (held) await make(ctx, held.command, held.args);
  });

  bot.command("schedules", async (ctx) => {
    const list = await core.store.schedulesOfChat(ctx.chat.id);
    if (list.length === 0) return say(ctx, "No schedules here. Make one with /every weekday 9:00 run the tests, or /at 18:00 summarise the day.");
    for (const s of list) await say(ctx, describe(s, await core.store.device(s.deviceId)), buttons(s));
  });

  deps.router.on("schedule", async (ctx, { scheduleId, action }) => {
    const chatId = ctx.chat!.id;
    const messageId = ctx.callbackQuery?.message?.message_id;
    if (action === "x") {
      const gone = await core.schedules.cancel(scheduleId, chatId);
      if (!gone) return ctx.answerCallbackQuery({ text: "That schedule is already gone." });
      if (messageId !== undefined) await messenger.edit(chatId, messageId, plain(`🗑 Cancelled: "${gone.prompt}" (${describeWhen(JSON.parse(gone.when) as ScheduleWhen, gone.timeZone)}).`));
      return ctx.answerCallbackQuery({ text: "Cancelled" });
    }
    const changed = await core.schedules.setMissed(scheduleId, chatId, action === "s" ? "skip" : "run");
    if (!changed) return ctx.answerCallbackQuery({ text: "That schedule is already gone." });
    if (messageId !== undefined) await messenger.edit(chatId, messageId, plain(describe(changed, await core.store.device(changed.deviceId))), { markup: buttons(changed) });
    return ctx.answerCallbackQuery({ text: action === "s" ? "Skipped when offline" : "Runs when back online" });
  });
}
