import type { Bot } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Conversations } from "../conversations";
import type { Device, Repo, User } from "../db/repo";
import type { Hub } from "../hub";
import type { Pairing } from "../pairing";
import { bold, concatFormatted, code, italic, plain, type FormattedText } from "../format";
import type { Messenger } from "./messenger";
import { visibleDevices, type RaContext } from "./bot";
import type { Log } from "../../log";
import type { Clock } from "../../clock";

export const COMMANDS = [
  { command: "devices", description: "Your machines and which one prompts go to" },
  { command: "use", description: "Send prompts to a machine: /use NAME" },
  { command: "stop", description: "Stop the running turn" },
  { command: "new", description: "Start a fresh conversation" },
  { command: "status", description: "What is running where" },
  { command: "pair", description: "Pair a machine: /pair CODE from `ra pair`" },
  { command: "help", description: "How to use this bot" },
];

type Deps = { repo: Repo; hub: Hub; pairing: Pairing; conversations: Conversations; messenger: Messenger; log: Log; clock: Clock };

const HELP = [
  "Send any message and the selected machine runs it with Claude Code; the answer streams here.",
  "",
  "/devices – your machines (tap one to select it)",
  "/use NAME – send prompts to NAME",
  "/stop – stop the running turn",
  "/new – start a fresh conversation",
  "/status – what is running where",
  "/pair CODE – pair a machine (run `ra pair` on it first)",
].join("\n");

export function registerCommands(bot: Bot<RaContext>, deps: Deps): void {
  const { repo, hub, pairing, conversations, messenger } = deps;
  const say = (ctx: RaContext, ft: FormattedText | string, markup?: { inline_keyboard: InlineKeyboardButton[][] }) =>
    messenger.send(ctx.chat!.id, typeof ft === "string" ? plain(ft) : ft, { markup });
  /** Prompts that arrived while no machine was selected; sent once the owner taps one. */
  const waitingPrompt = new Map<number, string>();

  const status = (d: Device) => (!hub.online(d.id) ? "offline" : conversations.busy(d.id) ? "busy" : "online");
  const dot = (d: Device) => ({ online: "🟢", busy: "🟡", offline: "⚫" })[status(d)];

  /** The machine a plain prompt goes to: the selected one, or the only one. */
  const target = (ctx: RaContext): Device | "none" | "choose" => {
    const devices = visibleDevices(repo, ctx.user!);
    const selected = repo.selectedDevice(ctx.chat!.id);
    const chosen = devices.find((d) => d.id === selected);
    if (chosen) return chosen;
    if (devices.length === 0) return "none";
    return devices.length === 1 ? devices[0]! : "choose";
  };

  const chooser = (user: User) => ({
    inline_keyboard: visibleDevices(repo, user).map((d) => [{ text: `${dot(d)} ${d.name}`, callback_data: `use:${d.id}` }]),
  });

  const noDevice = "No machine is paired yet. On the machine, run `ra pair --relay <relay URL> --name laptop` and send me the /pair command it prints.";

  bot.command(["start", "help"], (ctx) => say(ctx, HELP));

  bot.command("pair", async (ctx) => {
    const input = ctx.match.trim();
    if (!input) return say(ctx, "Send the code `ra pair` printed, like: /pair BCDFG-HJKLM");
    const device = pairing.redeem(input, ctx.user!.telegramId);
    if (!device) return say(ctx, "That code is not valid. Codes work once and expire after 10 minutes; run `ra pair` again for a new one.");
    if (!repo.selectedDevice(ctx.chat.id)) repo.selectDevice(ctx.chat.id, device.id);
    deps.log.success(`paired "${device.name}" (${device.hostname}) for user ${ctx.user!.telegramId}`);
    return say(ctx, concatFormatted(plain("✅ "), bold(device.name), plain(` paired (${device.hostname}, ${device.os}/${device.arch}). Start it with \`ra agent\` on the machine, then send a prompt here.`)));
  });

  bot.command("devices", async (ctx) => {
    const devices = visibleDevices(repo, ctx.user!);
    if (devices.length === 0) return say(ctx, noDevice);
    const selected = target(ctx);
    const lines = devices.map((d) => {
      const seen = hub.online(d.id) ? "" : d.lastSeenAt ? ` · last seen ${ago(deps.clock.now() - d.lastSeenAt)}` : " · never connected";
      const mark = typeof selected === "object" && selected.id === d.id ? " ← prompts go here" : "";
      return `${dot(d)} ${d.name} – ${status(d)}${seen}${mark}`;
    });
    return say(ctx, lines.join("\n"), chooser(ctx.user!));
  });

  bot.command("use", async (ctx) => {
    const name = ctx.match.trim().toLowerCase();
    const devices = visibleDevices(repo, ctx.user!);
    const device = devices.find((d) => d.name.toLowerCase() === name);
    if (!device) {
      const known = devices.map((d) => d.name).join(", ");
      return say(ctx, name ? `No machine called "${ctx.match.trim()}". ${known ? `Yours: ${known}.` : noDevice}` : "Which machine? Tap one:", chooser(ctx.user!));
    }
    repo.selectDevice(ctx.chat.id, device.id);
    return say(ctx, `Prompts now go to ${device.name} (${status(device)}).`);
  });

  bot.command("stop", async (ctx) => {
    const device = target(ctx);
    if (typeof device !== "object") return say(ctx, "Nothing is running.");
    const { interrupted, cancelled } = conversations.stop(ctx.chat.id, device.id);
    if (!interrupted && !cancelled) return say(ctx, `Nothing is running on ${device.name}.`);
    const parts = [interrupted ? `Stopping the turn on ${device.name}…` : "", cancelled ? `Cancelled ${cancelled} waiting prompt${cancelled === 1 ? "" : "s"}.` : ""];
    return say(ctx, parts.filter(Boolean).join(" "));
  });

  bot.command("new", async (ctx) => {
    const device = target(ctx);
    if (typeof device !== "object") return say(ctx, device === "none" ? noDevice : "Select a machine first with /devices.");
    conversations.stop(ctx.chat.id, device.id);
    conversations.reset(ctx.chat.id, device.id);
    return say(ctx, `🆕 Fresh conversation with ${device.name}. Your next message starts it.`);
  });

  bot.command("status", async (ctx) => {
    const devices = visibleDevices(repo, ctx.user!);
    if (devices.length === 0) return say(ctx, noDevice);
    const selected = target(ctx);
    const lines = devices.map((d) => `${dot(d)} ${d.name}: ${status(d)}`);
    const head = typeof selected === "object" ? `Prompts go to ${selected.name}.` : "No machine selected: /devices to pick one.";
    return say(ctx, concatFormatted(plain(`${head}\n`), italic(lines.join("\n"))));
  });

  bot.on("callback_query:data", async (ctx) => {
    const [kind, id] = ctx.callbackQuery.data.split(":", 2);
    const chatId = ctx.chat?.id;
    if (!chatId || !id) return ctx.answerCallbackQuery();
    if (kind === "use") {
      const device = visibleDevices(repo, ctx.user!).find((d) => d.id === id);
      if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
      repo.selectDevice(chatId, device.id);
      await ctx.answerCallbackQuery({ text: `Prompts now go to ${device.name}` });
      const prompt = waitingPrompt.get(chatId);
      waitingPrompt.delete(chatId);
      if (prompt) conversations.submit(chatId, device, prompt);
      else await say(ctx, `Prompts now go to ${device.name} (${status(device)}).`);
      return;
    }
    if (kind === "stop" || kind === "cancel") {
      const turn = repo.turn(id);
      if (!turn || turn.chatId !== chatId) return ctx.answerCallbackQuery({ text: "This turn is not yours." });
      const session = repo.session(turn.sessionId);
      if (kind === "cancel") return ctx.answerCallbackQuery({ text: conversations.cancel(id) ? "Cancelled" : "Already running or finished" });
      if (turn.status !== "running" || !session) return ctx.answerCallbackQuery({ text: "This turn already ended." });
      conversations.stop(chatId, session.deviceId);
      return ctx.answerCallbackQuery({ text: "Stopping…" });
    }
    return ctx.answerCallbackQuery({ text: "This button is no longer valid." });
  });

  bot.on("message:text", async (ctx) => {
    const text = ctx.message.text;
    if (text.startsWith("/")) {
      const name = text.split(/\s/, 1)[0];
      return say(ctx, `Unknown command ${name}. /help lists what I understand.`);
    }
    const device = target(ctx);
    if (device === "none") return say(ctx, noDevice);
    if (device === "choose") {
      waitingPrompt.set(ctx.chat.id, text);
      return say(ctx, "Which machine should run this? Tap one (it is remembered for the next prompts):", chooser(ctx.user!));
    }
    conversations.submit(ctx.chat.id, device, text);
  });

  bot.on("message", (ctx) => say(ctx, concatFormatted(plain("I can only take text prompts for now. "), code("/help"), plain(" lists the commands."))));
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
