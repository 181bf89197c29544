import type { Bot } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Approvals, TapAction } from "../approvals";
import type { Conversations } from "../conversations";
import type { Device, Repo, User } from "../db/repo";
import type { Hub } from "../hub";
import type { Pairing } from "../pairing";
import { bold, concatFormatted, code, italic, plain, type FormattedText } from "../format";
import { helpText } from "./help";
import { USER_COMMANDS } from "./users";
import { parseMention } from "./mention";
import { threadOfUpdate, type Topics } from "./topics";
import type { Messenger } from "./messenger";
import { visibleDevices, type RaContext } from "./bot";
import { untrusted, type Log } from "../../log";
import type { Clock } from "../../clock";

export const COMMANDS = [
  { command: "devices", description: "Your machines and which one prompts go to" },
  { command: "use", description: "Send prompts to a machine: /use NAME" },
  { command: "stop", description: "Stop the running turn" },
  { command: "new", description: "Start a fresh conversation" },
  { command: "status", description: "What is running where" },
  { command: "mode", description: "Show or switch the permission mode" },
  { command: "cd", description: "Run the next prompts in another folder: /cd PATH" },
  { command: "pending", description: "Approval cards still waiting for you" },
  { command: "audit", description: "The last 20 approval decisions" },
  { command: "pair", description: "Pair a machine: /pair CODE from `ra pair`" },
  { command: "revoke", description: "Unpair a machine: /revoke NAME" },
  { command: "help", description: "How to use this bot" },
];

type Deps = { repo: Repo; hub: Hub; pairing: Pairing; conversations: Conversations; approvals: Approvals; messenger: Messenger; log: Log; clock: Clock; topics?: Topics };

export function registerCommands(bot: Bot<RaContext>, deps: Deps): void {
  const { repo, hub, pairing, conversations, approvals, messenger } = deps;
  const say = (ctx: RaContext, ft: FormattedText | string, markup?: { inline_keyboard: InlineKeyboardButton[][] }) =>
    messenger.send(ctx.chat!.id, typeof ft === "string" ? plain(ft) : ft, { markup, threadId: threadOfUpdate(ctx) });
  /** Prompts that arrived while no machine was selected; sent once the owner taps one. */
  const waitingPrompt = new Map<number, string>();

  const status = (d: Device) => (!hub.online(d.id) ? "offline" : conversations.busy(d.id) ? "busy" : "online");
  const dot = (d: Device) => ({ online: "🟢", busy: "🟡", offline: "⚫" })[status(d)];

  /** The machine a plain prompt goes to: the selected one, or the only one. */
  const target = (ctx: RaContext): Device | "none" | "choose" => {
    const devices = visibleDevices(repo, ctx.user!);
    // In a device's topic, that device; elsewhere the selected one.
    const selected = deps.topics?.deviceOf(ctx.chat!.id, threadOfUpdate(ctx)) ?? repo.selectedDevice(ctx.chat!.id);
    const chosen = devices.find((d) => d.id === selected);
    if (chosen) return chosen;
    if (devices.length === 0) return "none";
    return devices.length === 1 ? devices[0]! : "choose";
  };

  const chooser = (user: User) => ({
    inline_keyboard: visibleDevices(repo, user).map((d) => [{ text: `${dot(d)} ${d.name}`, callback_data: `use:${d.id}` }]),
  });

  const noDevice = concatFormatted(plain("No machine is paired yet. On the machine, run "), code("ra pair --relay <relay URL> --name laptop"), plain(" and send me the /pair command it prints."));

  bot.command(["start", "help"], (ctx) => {
    const payload = ctx.match?.trim() ?? "";
    if (ctx.message?.text?.startsWith("/start") && payload.startsWith("pair_")) return redeem(ctx, payload);
    return say(ctx, helpText(ctx.user?.role === "owner" ? [...COMMANDS, ...USER_COMMANDS] : COMMANDS));
  });

  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

  /** A typed code or deep-link secret: claims the machine and shows the confirmation card. */
  const redeem = async (ctx: RaContext, input: string) => {
    const result = pairing.redeem(input, ctx.user!.telegramId);
    if (!result.ok) {
      if (result.justPaused) await tellOwners(`⚠️ Pairing is paused until ${hhmm(result.justPaused)} UTC after 20 wrong pairing codes in 10 minutes.`);
      if (result.reason === "locked" || result.justLocked) return say(ctx, `Too many wrong codes. Pairing is locked for you until ${hhmm(result.until ?? result.justLocked!)} UTC.`);
      if (result.reason === "paused") return say(ctx, `Pairing is paused until ${hhmm(result.until!)} UTC after too many wrong codes.`);
      return say(ctx, "That code is not valid. Codes work once and expire after 10 minutes; run `ra pair` again for a new one.");
    }
    const m = result.machine;
    const facts = [
      `Machine: ${m.name}`,
      `Host: ${m.facts.hostname} (${m.facts.os}/${m.facts.arch})`,
      `User: ${m.facts.user}`,
      `From: ${m.ip}`,
      `ra: ${m.facts.agentVersion}`,
    ].join("\n");
    return say(ctx, concatFormatted(bold("Pair this machine?\n"), plain(`${facts}\nFingerprint: `), code(m.fingerprint), plain("\n\nPair only if the fingerprint matches what `ra pair` printed on your machine.")), {
      inline_keyboard: [[{ text: "✅ Pair", callback_data: `pair:${m.claimId}:y` }, { text: "✖ Reject", callback_data: `pair:${m.claimId}:n` }]],
    });
  };

  const tellOwners = async (text: string) => {
    for (const owner of repo.owners()) await messenger.send(owner.telegramId, plain(text));
  };

  bot.command("pair", async (ctx) => {
    const input = ctx.match.trim();
    if (!input) return say(ctx, "Send the code `ra pair` printed, like: /pair BCDFG-HJKLM");
    return redeem(ctx, input);
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
    const rows = devices.map((d) => [
      { text: `${dot(d)} ${d.name}`, callback_data: `use:${d.id}` },
      { text: "🗑 Revoke", callback_data: `rv:${d.id}:?` },
    ]);
    return say(ctx, lines.join("\n"), { inline_keyboard: rows });
  });

  const askRevoke = (ctx: RaContext, device: Device) =>
    say(ctx, `Revoke ${device.name} (${device.hostname})? Its agent is disconnected at once, its running turn stops, and it must be paired again to come back.`, {
      inline_keyboard: [[{ text: `🗑 Yes, revoke ${device.name}`, callback_data: `rv:${device.id}:y` }, { text: "Cancel", callback_data: `rv:${device.id}:n` }]],
    });

  bot.command("revoke", async (ctx) => {
    const name = ctx.match.trim().toLowerCase();
    const device = visibleDevices(repo, ctx.user!).find((d) => d.name.toLowerCase() === name);
    if (!device) return say(ctx, name ? `No machine called "${ctx.match.trim()}". /devices lists yours.` : "Which machine? Send /revoke NAME, or use the buttons in /devices.");
    return askRevoke(ctx, device);
  });

  bot.command("use", async (ctx) => {
    const name = ctx.match.trim().toLowerCase();
    const devices = visibleDevices(repo, ctx.user!);
    const device = devices.find((d) => d.name.toLowerCase() === name);
    if (!device) {
      const known = devices.map((d) => d.name).join(", ");
      if (!known) return say(ctx, noDevice);
      return say(ctx, name ? `No machine called "${ctx.match.trim()}". Yours: ${known}.` : "Which machine? Tap one:", chooser(ctx.user!));
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

  bot.command("cd", async (ctx) => {
    const device = target(ctx);
    if (typeof device !== "object") return say(ctx, device === "none" ? noDevice : "Select a machine first with /devices.");
    const path = ctx.match.trim();
    if (!path) {
      const session = conversations.session(ctx.chat.id, device.id);
      const roots = conversations.limitsOf(device.id)?.roots;
      return say(ctx, `${device.name} runs prompts in ${session.cwd ?? roots?.[0] ?? "its default folder"}.${roots ? ` Allowed: ${roots.join(", ")}.` : ""} Change with /cd PATH.`);
    }
    conversations.stop(ctx.chat.id, device.id);
    conversations.changeDir(ctx.chat.id, device.id, path);
    return say(ctx, `📁 Next prompts on ${device.name} run in ${path} (a fresh conversation; ${device.name} checks that the folder is allowed).`);
  });

  const MODES = ["default", "acceptEdits", "plan", "bypassPermissions"] as const;
  const modeHelp: Record<(typeof MODES)[number], string> = {
    default: "asks before edits and commands",
    acceptEdits: "edits files without asking, asks before commands",
    plan: "only reads and plans",
    bypassPermissions: "runs everything without asking",
  };
  bot.command("mode", async (ctx) => {
    const device = target(ctx);
    if (typeof device !== "object") return say(ctx, device === "none" ? noDevice : "Select a machine first with /devices.");
    const session = conversations.session(ctx.chat.id, device.id);
    const cap = conversations.limitsOf(device.id)?.maxMode ?? "acceptEdits";
    const offered = MODES.filter((m) => m !== "bypassPermissions" || cap === "bypassPermissions");
    const lines = offered.map((m) => `${m === session.mode ? "●" : "○"} ${m} – ${modeHelp[m]}`);
    return say(ctx, `Permission mode on ${device.name}: ${session.mode}\n\n${lines.join("\n")}`, {
      inline_keyboard: [offered.map((m) => ({ text: m === session.mode ? `● ${m}` : m, callback_data: `mode:${m}` }))],
    });
  });

  bot.command("pending", async (ctx) => {
    const visible = new Set(visibleDevices(repo, ctx.user!).map((d) => d.id));
    const open = approvals.pending(ctx.chat.id).filter((a) => visible.has(a.deviceId));
    if (open.length === 0) return say(ctx, "No approval is waiting for you.");
    await say(ctx, `${open.length} request${open.length === 1 ? " is" : "s are"} waiting; here ${open.length === 1 ? "it is" : "they are"} again:`);
    for (const approval of open) await approvals.resend(approval);
  });

  bot.command("audit", async (ctx) => {
    const rows = repo.lastAudit(20, ctx.user!.role === "owner" ? undefined : visibleDevices(repo, ctx.user!).map((d) => d.id));
    if (rows.length === 0) return say(ctx, "No approval decisions yet.");
    const names = new Map(repo.allDevices().map((d) => [d.id, d.name]));
    const lines = rows.map((r) => {
      const who = r.userId ? (r.userId === ctx.from?.id ? "you" : String(r.userId)) : "ra";
      const latency = r.latencyMs >= 1000 ? `${Math.round(r.latencyMs / 1000)} s` : `${r.latencyMs} ms`;
      return `${new Date(r.at).toISOString().slice(5, 16).replace("T", " ")} ${names.get(r.deviceId) ?? r.deviceId} ${r.toolName}: ${r.answer} (${who}, ${latency}, ${r.inputDigest.slice(0, 8)})`;
    });
    return say(ctx, concatFormatted(bold("Last approval decisions (UTC)\n"), plain(lines.join("\n"))));
  });

  bot.on("callback_query:data", async (ctx) => {
    const [kind, id, action] = ctx.callbackQuery.data.split(":", 3);
    const chatId = ctx.chat?.id;
    if (!chatId || !id) return ctx.answerCallbackQuery();
    if (kind === "ap" && action) return ctx.answerCallbackQuery({ text: approvals.tap(id, action as TapAction, ctx.from.id, chatId) });
    if (kind === "rv") {
      const device = visibleDevices(repo, ctx.user!).find((d) => d.id === id);
      if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
      if (action === "?") {
        await ctx.answerCallbackQuery();
        return askRevoke(ctx, device);
      }
      const message = ctx.callbackQuery.message?.message_id;
      if (action !== "y") {
        await ctx.answerCallbackQuery({ text: "Kept" });
        if (message) await messenger.edit(chatId, message, plain(`${device.name} stays paired.`));
        return;
      }
      conversations.revoke(device);
      deps.log.info(`${untrusted(device.name)} revoked by ${ctx.from.id}`);
      await ctx.answerCallbackQuery({ text: `${device.name} revoked` });
      if (message) await messenger.edit(chatId, message, plain(`🗑 ${device.name} is revoked: disconnected, and its token no longer works.`));
      return;
    }
    if (kind === "pair") {
      if (action === "n") {
        await ctx.answerCallbackQuery({ text: pairing.reject(id, ctx.from.id) ? "Rejected" : "This pairing request is over." });
        if (ctx.callbackQuery.message) await messenger.edit(chatId, ctx.callbackQuery.message.message_id, plain("✖ Pairing rejected; the machine was told."));
        return;
      }
      const device = pairing.confirm(id, ctx.from.id);
      if (!device) return ctx.answerCallbackQuery({ text: "This pairing request expired or is not yours; run `ra pair` again." });
      await ctx.answerCallbackQuery({ text: `${device.name} paired` });
      if (!repo.selectedDevice(chatId)) repo.selectDevice(chatId, device.id);
      deps.log.success(`paired ${untrusted(device.name)} (${untrusted(device.hostname)}) for user ${ctx.from.id}`);
      if (ctx.callbackQuery.message) {
        await messenger.edit(chatId, ctx.callbackQuery.message.message_id, concatFormatted(plain("✅ "), bold(device.name), plain(` paired (${device.hostname}, ${device.os}/${device.arch}). Start it with `), code("ra agent"), plain(" on the machine, then send a prompt here.")));
      }
      for (const owner of repo.owners()) {
        if (owner.telegramId !== ctx.from.id) await messenger.send(owner.telegramId, plain(`🔔 New machine paired: ${device.name} (${device.hostname}) by ${ctx.from.first_name}.`));
      }
      return;
    }
    if (kind === "mode") {
      const device = target(ctx);
      const mode = MODES.find((m) => m === id);
      if (typeof device !== "object" || !mode) return ctx.answerCallbackQuery({ text: "Select a machine first with /devices." });
      const outcome = conversations.setMode(chatId, device.id, mode);
      const max = conversations.limitsOf(device.id)?.maxMode;
      const text = {
        sent: `Switching to ${mode}…`,
        offline: `${device.name} is offline; ${mode} applies when it is back.`,
        refused: `${device.name} allows at most ${max} (set on the machine with ra agent --max-mode).`,
      }[outcome];
      return ctx.answerCallbackQuery({ text, show_alert: outcome === "refused" });
    }
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
    if (approvals.reason(ctx.chat.id, ctx.from.id, text)) return;
    const mention = parseMention(text);
    if (mention && mention.name.toLowerCase() !== ctx.me.username.toLowerCase()) return promptOne(ctx, mention);
    const device = target(ctx);
    if (device === "none") return say(ctx, noDevice);
    if (device === "choose") {
      waitingPrompt.set(ctx.chat.id, text);
      return say(ctx, "Which machine should run this? Tap one (it is remembered for the next prompts):", chooser(ctx.user!));
    }
    conversations.submit(ctx.chat.id, device, text);
  });

  /** `@name prompt`: one prompt for another machine; the selection stays as it is. */
  const promptOne = (ctx: RaContext, { name, prompt }: { name: string; prompt: string }) => {
    const devices = visibleDevices(repo, ctx.user!);
    const device = devices.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!device) return say(ctx, devices.length ? `No machine called "${name}". Yours: ${devices.map((d) => d.name).join(", ")}.` : noDevice);
    if (!prompt) return say(ctx, `Write the prompt after the name, like: @${device.name} run the tests`);
    conversations.submit(ctx.chat!.id, device, prompt);
  };

  bot.on("message", (ctx) => say(ctx, concatFormatted(plain("I can only take text prompts for now. "), code("/help"), plain(" lists the commands."))));
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
