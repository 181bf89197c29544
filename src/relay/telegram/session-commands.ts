import type { Bot } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Device, SessionSummary } from "../store/types";
import { bold, concatFormatted, italic, plain, type FormattedText } from "../format";
import { maskSecrets } from "../mask-secrets";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { noTarget, type Targets } from "./targets";
import { threadOfUpdate } from "./topics";
import { ago, folderOf, sessionLabel, shortPrompt, topicTitle } from "./session-label";
import { transcriptMarkdown } from "./transcript";

/** How many sessions /sessions lists (the most recently active), and turns /history shows. */
const LISTED_SESSIONS = 10;
const HISTORY_TURNS = 5;
const ANSWER_START = 200;

const STATE: Record<SessionSummary["state"], string> = { running: "running", approval: "waiting for approval", idle: "idle" };

const NEW_USAGE = "Usage: /new starts a fresh conversation; /new worktree (or /new wt) starts one whose claude works in its own git worktree of the folder's repository.";

/** /new's argument: nothing (false) or worktree / wt (true); undefined for anything else. */
export function newArgument(text: string): boolean | undefined {
  const arg = text.trim().toLowerCase();
  if (arg === "") return false;
  return arg === "worktree" || arg === "wt" ? true : undefined;
}

/** Extra rows under /sessions' buttons: the way to the sessions started in a terminal on the machine (desk-commands.ts). */
export type ExtraSessionRows = (chatId: number, device: Device) => InlineKeyboardButton[][];

/** /new, /sessions (switch by button) and /history (with the whole conversation as .md). */
export function registerSessionCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets, extraRows: ExtraSessionRows): void {
  const { core, messenger, clock } = deps;
  const { turns, store } = core;
  const say = replier(messenger);
  const roots = (deviceId: string) => core.limits.of(deviceId)?.roots;

  bot.command("new", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, noTarget(device));
    const worktree = newArgument(ctx.match);
    if (worktree === undefined) return say(ctx, NEW_USAGE);
    if (deps.topics?.available(ctx.chat.id)) return newInTopic(ctx, device, worktree);
    const previous = await store.openSession(ctx.chat.id, device.id);
    const session = await turns.newSession(ctx.chat.id, device.id, undefined, { worktree });
    const kept = previous ? ` #${previous.number} is kept: /sessions switches back.` : "";
    const own = worktree ? " in a git worktree of its own (made on the machine with the first prompt, under .ra/worktrees of the folder's repository)" : "";
    return say(ctx, `🆕 Fresh conversation with ${device.name} (${sessionLabel(session, roots(device.id))})${own}. Your next message starts it.${kept}`);
  });

  /**
   * /new where conversations get topics: a fresh conversation (in the folder and mode of the one it
   * was sent from) with a topic of its own; the selection elsewhere stays as it is.
   */
  const newInTopic = async (ctx: RaContext, device: Device, worktree: boolean) => {
    const chatId = ctx.chat!.id;
    const session = await turns.newSession(chatId, device.id, undefined, { select: false, from: await t.topicSession(ctx), worktree });
    const threadId = await deps.topics!.openFor(session, topicTitle(device.name, session, roots(device.id)));
    if (threadId === undefined) {
      await turns.select(chatId, device.id, session.id);
      return say(ctx, `🆕 Fresh conversation with ${device.name} (${sessionLabel(session, roots(device.id))}); Telegram would not open a topic for it, so your next message here starts it.`);
    }
    await messenger.send(chatId, plain(`🆕 Conversation ${sessionLabel(session, roots(device.id))} with ${device.name}. Write here to talk to it; its answers, approvals and /stop, /history, /mode, /cd stay in this topic.`), { threadId });
    return say(ctx, `🆕 #${session.number} with ${device.name} has its own topic: write there to start it. Prompts here go on as before.`);
  };

  bot.command("sessions", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, noTarget(device));
    const own = await t.topicSession(ctx);
    const selected = (own && await store.session(own)) || await store.openSession(ctx.chat.id, device.id);
    const listed = (await store.sessionsOf(ctx.chat.id, device.id)).slice(0, LISTED_SESSIONS);
    const extra = extraRows(ctx.chat.id, device);
    if (listed.length === 0) return say(ctx, `No conversation with ${device.name} in this chat yet: write a prompt to start one, or continue one started in a terminal there.`, { inline_keyboard: extra });
    const now = clock.now();
    const lines = listed.map((s) => {
      const mark = s.id === selected?.id ? "●" : "○";
      const prompt = s.firstPrompt ? `"${maskSecrets(shortPrompt(s.firstPrompt)).text}"` : "(no prompt yet)";
      const own = s.threadId !== null && deps.topics?.available(ctx.chat.id) ? " · 💬 own topic" : "";
      return `${mark} #${s.number}${s.worktree ? " 🌿" : ""} · 📁 ${folderOf(s, roots(device.id))} · ${prompt} · ${ago(now - s.lastActiveAt)} · $${s.costUsd.toFixed(4)} · ${STATE[s.state]}${own}`;
    });
    const rows = listed.map((s) => [{
      text: `${s.id === selected?.id ? "● " : ""}#${s.number} ${s.firstPrompt ? maskSecrets(shortPrompt(s.firstPrompt, 30)).text : folderOf(s, roots(device.id))}`,
      callback_data: encodeCallback({ kind: "session", sessionId: s.id }),
    }]);
    const head = concatFormatted(bold(`Conversations with ${device.name}`), plain(" (newest first; tap one to switch to it):\n"));
    return say(ctx, concatFormatted(head, plain(lines.join("\n"))), { inline_keyboard: [...rows, ...extra] });
  });

  deps.router.on("session", async (ctx, { sessionId }) => {
    const chatId = ctx.chat!.id;
    const session = await store.session(sessionId);
    const device = session && await t.byId(ctx, session.deviceId);
    const chosen = device && await turns.select(chatId, device.id, sessionId);
    if (!device || !chosen) return ctx.answerCallbackQuery({ text: "That conversation is gone (or not this chat's). /sessions lists the current ones.", show_alert: true });
    const label = sessionLabel(chosen, roots(device.id));
    await ctx.answerCallbackQuery({ text: `Now in #${chosen.number}` });
    const first = (await store.sessionsOf(chatId, device.id)).find((s) => s.id === chosen.id)?.firstPrompt;
    const about = first ? `: "${maskSecrets(shortPrompt(first)).text}"` : "";
    const where = chosen.threadId !== null && deps.topics?.available(chatId) ? " Its answers arrive in its own topic." : "";
    await messenger.send(chatId, plain(`↪️ Prompts to ${device.name} now go to ${label}${about}.${where}`), { threadId: threadOfUpdate(ctx) });
  });

  bot.command("history", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, noTarget(device));
    const own = await t.topicSession(ctx);
    const session = (own && await store.session(own)) || await store.openSession(ctx.chat.id, device.id);
    const shown = session ? await store.lastTurns(session.id, HISTORY_TURNS) : [];
    if (!session || shown.length === 0) return say(ctx, `Nothing in this conversation with ${device.name} yet.`);
    const parts: FormattedText[] = [bold(`Last turns of ${device.name} ${sessionLabel(session, roots(device.id))}`)];
    for (const turn of shown) {
      const answer = (await store.turnText(turn.id)).trim();
      const start = answer.length > ANSWER_START ? `${answer.slice(0, ANSWER_START).trimEnd()}…` : answer;
      parts.push(plain(`\n\n🗣 ${maskSecrets(shortPrompt(turn.prompt, 200)).text}\n`), italic(maskSecrets(start || `(${turn.status}, no answer)`).text));
    }
    return say(ctx, concatFormatted(...parts), { inline_keyboard: [[{ text: "📄 Full transcript (.md)", callback_data: encodeCallback({ kind: "transcript", sessionId: session.id }) }]] });
  });

  deps.router.on("transcript", async (ctx, { sessionId }) => {
    const chatId = ctx.chat!.id;
    const session = await store.session(sessionId);
    const device = session && await t.byId(ctx, session.deviceId);
    if (!session || !device || session.chatId !== chatId) return ctx.answerCallbackQuery({ text: "That conversation is not this chat's." });
    await ctx.answerCallbackQuery({ text: "Sending the transcript…" });
    const all = await store.turnsOfSession(session.id, ["queued", "running", "done", "stopped", "failed"]);
    const texts = new Map(await Promise.all(all.map(async (turn) => [turn.id, await store.turnText(turn.id)] as const)));
    const markdown = maskSecrets(transcriptMarkdown(device.name, session, all, (id) => texts.get(id) ?? "", roots(device.id))).text;
    await messenger.document(chatId, `transcript-${device.name}-${session.number}.md`, markdown, `📄 ${device.name} ${sessionLabel(session, roots(device.id))}: ${all.length} turn${all.length === 1 ? "" : "s"}`, threadOfUpdate(ctx));
  });
}
