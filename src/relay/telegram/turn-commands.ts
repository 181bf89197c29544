import type { Bot } from "grammy";
import { PermissionMode } from "../../proto";
import { concatFormatted, italic, plain } from "../format";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { NO_DEVICE, noTarget, type Targets } from "./targets";
import type { Device } from "../store/types";

const MODE_HELP: Record<PermissionMode, string> = {
  default: "asks before edits and commands",
  acceptEdits: "edits files without asking, asks before commands",
  plan: "only reads and plans",
  bypassPermissions: "runs everything without asking",
};

/** /stop, /status and /mode, and the buttons on a turn (Stop, Cancel, Status, Keep waiting, modes). */
export function registerTurnCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger, turnViews } = deps;
  const { turns, store } = core;
  const say = replier(messenger);

  bot.command("stop", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, "Nothing is running.");
    const { interrupted, cancelled } = await turns.stop(ctx.chat.id, device.id, await t.topicSession(ctx));
    if (!interrupted && !cancelled) return say(ctx, `Nothing is running on ${device.name}.`);
    const parts = [interrupted ? `Stopping the turn on ${device.name}…` : "", cancelled ? `Cancelled ${cancelled} waiting prompt${cancelled === 1 ? "" : "s"}.` : ""];
    return say(ctx, parts.filter(Boolean).join(" "));
  });

  bot.command("status", async (ctx) => {
    const devices = await t.visible(ctx);
    if (devices.length === 0) return say(ctx, NO_DEVICE);
    const selected = await t.target(ctx);
    const lines = await Promise.all(devices.map(async (d) => `${await t.dot(d)} ${await t.label(d, ctx.user)}: ${await t.state(d)}`));
    const head = typeof selected === "object" ? `Prompts go to ${await t.label(selected, ctx.user)}.` : "No machine selected: /devices to pick one.";
    return say(ctx, concatFormatted(plain(`${head}\n`), italic(lines.join("\n"))));
  });

  bot.command("mode", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, noTarget(device));
    const session = await turns.session(ctx.chat.id, device.id, await t.topicSession(ctx));
    const cap = core.limits.of(device.id)?.maxMode ?? "acceptEdits";
    const offered = PermissionMode.options.filter((m) => m !== "bypassPermissions" || cap === "bypassPermissions");
    // `/mode plan` switches at once; a bare /mode (or a name it does not know) shows the choice.
    const asked = offered.find((m) => m.toLowerCase() === ctx.match.trim().toLowerCase());
    if (asked) return say(ctx, modeOutcome(asked, device, await turns.setMode(ctx.chat.id, device.id, asked, await t.topicSession(ctx))));
    const unknown = ctx.match.trim() ? `There is no mode "${ctx.match.trim()}". ` : "";
    const lines = offered.map((m) => `${m === session.mode ? "●" : "○"} ${m} – ${MODE_HELP[m]}`);
    return say(ctx, `${unknown}Permission mode on ${device.name}: ${session.mode}\n\n${lines.join("\n")}`, {
      inline_keyboard: [offered.map((m) => ({ text: m === session.mode ? `● ${m}` : m, callback_data: encodeCallback({ kind: "mode", mode: m }) }))],
    });
  });

  const modeOutcome = (mode: PermissionMode, device: Device, outcome: Awaited<ReturnType<typeof turns.setMode>>) => ({
    sent: `Switching to ${mode}…`,
    offline: `${device.name} is offline; ${mode} applies when it is back.`,
    refused: `${device.name} allows at most ${core.limits.of(device.id)?.maxMode} (set on the machine with ra agent --max-mode).`,
  })[outcome];

  deps.router.on("mode", async (ctx, { mode }) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return ctx.answerCallbackQuery({ text: "Select a machine first with /devices." });
    const outcome = await turns.setMode(ctx.chat!.id, device.id, mode, await t.topicSession(ctx));
    return ctx.answerCallbackQuery({ text: modeOutcome(mode, device, outcome), show_alert: outcome === "refused" });
  });

  deps.router.on("stop", async (ctx, { turnId }) => {
    const turn = await store.turn(turnId);
    if (!turn || turn.chatId !== ctx.chat!.id) return ctx.answerCallbackQuery({ text: "This turn is not yours." });
    if (turn.status !== "running") return ctx.answerCallbackQuery({ text: "This turn already ended." });
    await turns.stopTurn(turnId, ctx.chat!.id);
    return ctx.answerCallbackQuery({ text: "Stopping…" });
  });

  deps.router.on("cancel", async (ctx, { turnId }) => {
    const turn = await store.turn(turnId);
    if (!turn || turn.chatId !== ctx.chat!.id) return ctx.answerCallbackQuery({ text: "This turn is not yours." });
    return ctx.answerCallbackQuery({ text: await turns.cancel(turnId) ? "Cancelled" : "Already running or finished" });
  });

  deps.router.on("status", async (ctx, { turnId }) => {
    const summary = await turnViews.summary(turnId, ctx.chat!.id);
    return ctx.answerCallbackQuery({ text: (summary ?? "This turn is not yours.").slice(0, 200) });
  });

  deps.router.on("keepWaiting", async (ctx, { turnId }) => {
    const waiting = await turnViews.keepWaiting(turnId, ctx.chat!.id);
    return ctx.answerCallbackQuery({ text: waiting ? "OK, waiting" : "This turn already ended." });
  });
}
