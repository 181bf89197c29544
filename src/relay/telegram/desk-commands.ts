import type { Bot } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { basename } from "node:path";
import type { TranscriptItem } from "../../proto";
import { code, concatFormatted, plain, type FormattedText } from "../format";
import type { Device } from "../store/types";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { Picks } from "./picks";
import { ago as elapsed, clipPath } from "./session-label";
import { noTarget, type Targets } from "./targets";
import type { ExtraSessionRows } from "./session-commands";

/** What a /desk button does: show a page of the list, show one session, or continue it here. */
type DeskTap =
  | { deviceId: string; action: "page"; items: TranscriptItem[]; offset: number }
  | { deviceId: string; action: "show"; item: TranscriptItem; items: TranscriptItem[]; offset: number }
  | { deviceId: string; action: "continue"; id: string }
  /** /sessions' "from the terminal" button: fetch the list from the machine. */
  | { deviceId: string; action: "list" };

/** Sessions per page of /desk. */
export const DESK_PAGE = 6;

/**
 * /desk (to be folded into /sessions): the claude sessions on the machine, started in a terminal
 * or by ra, from claude's own transcripts; "Continue here" makes the chat's conversation with the
 * machine continue one (`--resume` on the next prompt, in its folder).
 */
export function registerDeskCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): ExtraSessionRows {
  const { core, messenger, clock } = deps;
  const say = replier(messenger);
  const picks = new Picks<DeskTap>(clock);
  const button = (chatId: number, text: string, tap: DeskTap): InlineKeyboardButton => ({ text, callback_data: encodeCallback({ kind: "desk", token: picks.put(chatId, tap) }) });
  const ago = (at: number) => agoText(clock.now() - at);

  const listView = (chatId: number, device: Device, items: TranscriptItem[], offset: number, note = ""): { text: string; markup: InlineKeyboardMarkup } => {
    const page = items.slice(offset, offset + DESK_PAGE);
    const lines = page.map((s, i) => `${offset + i + 1}. ${folderOf(s)} – ${quote(s.firstPrompt, 60)} – ${ago(s.lastActivity)}${s.missing ? " – folder gone" : ""}`);
    const rows = page.map((s, i) => [button(chatId, `${offset + i + 1}. ${folderOf(s)} · ${quote(s.firstPrompt, 28)}`, { deviceId: device.id, action: "show", item: s, items, offset })]);
    const nav: InlineKeyboardButton[] = [];
    if (offset > 0) nav.push(button(chatId, "‹ back", { deviceId: device.id, action: "page", items, offset: Math.max(0, offset - DESK_PAGE) }));
    if (offset + page.length < items.length) nav.push(button(chatId, "more ›", { deviceId: device.id, action: "page", items, offset: offset + page.length }));
    if (nav.length) rows.push(nav);
    const text = `${note}🖥 Claude sessions on ${device.name}, newest first (${items.length}):\n${lines.join("\n")}\nTap one to see its last exchange and continue it here.`;
    return { text, markup: { inline_keyboard: rows } };
  };

  const detailView = (chatId: number, device: Device, tap: Extract<DeskTap, { action: "show" }>): { text: FormattedText; markup: InlineKeyboardMarkup } => {
    const s = tap.item;
    const lines = [
      `🖥 ${clip(s.cwd)} on ${device.name}`,
      `Started with: ${quote(s.firstPrompt, 300)}`,
      `Last activity: ${ago(s.lastActivity)}`,
      "",
      `You: ${quote(s.lastPrompt, 300)}`,
      `Claude: ${s.lastAnswer ?? "(no answer text)"}`,
      ...(s.missing ? ["", `⚠ Its folder no longer exists on ${device.name}, so it cannot be continued there.`] : []),
    ];
    const rows: InlineKeyboardButton[][] = [];
    if (!s.missing) rows.push([button(chatId, "▶ Continue here", { deviceId: device.id, action: "continue", id: s.id })]);
    rows.push([button(chatId, "‹ back", { deviceId: device.id, action: "page", items: tap.items, offset: tap.offset })]);
    return { text: concatFormatted(plain(`${lines.join("\n")}\n`), code(`claude --resume ${s.id}`)), markup: { inline_keyboard: rows } };
  };

  /** Checks with the machine that the session is still there, then points the chat's conversation at it. */
  const continueHere = async (chatId: number, device: Device, id: string): Promise<FormattedText> => {
    const answer = await core.lists.request(device, { kind: "transcripts", query: id });
    if ("error" in answer) return plain(`Could not continue it: ${answer.error}`);
    const found = answer.ok.transcripts?.[0];
    const why = answer.ok.skipped?.[0]?.reason;
    if (!found) return plain(why ? `Claude session ${id} on ${device.name} ${why}; it cannot be continued. Send /desk for the others.` : `There is no claude session ${id} under ${device.name}'s folders. Send /desk to see the ones there are.`);
    if (found.missing) return plain(`The folder of claude session ${id} (${clip(found.cwd)}) no longer exists on ${device.name}; it cannot be continued there.`);
    await core.turns.stop(chatId, device.id);
    await core.turns.continueClaude(chatId, device.id, found.cwd, found.id);
    return concatFormatted(
      plain(`▶ Your next message continues this claude session on ${device.name}, in ${clip(found.cwd)}.\nTo take it back at the desk: `),
      code(`claude --resume ${found.id}`),
    );
  };

  bot.command("desk", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, noTarget(device));
    const chatId = ctx.chat.id;
    const typed = ctx.match.trim();
    if (typed) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(typed)) return say(ctx, `"${typed.slice(0, 80)}" is not a claude session id. Send /desk to pick one.`);
      return say(ctx, await continueHere(chatId, device, typed));
    }
    const view = await listFromMachine(chatId, device);
    return say(ctx, view.text, view.markup);
  });

  /** Asks the machine for its claude sessions; the message text and buttons that show them. */
  const listFromMachine = async (chatId: number, device: Device): Promise<{ text: string; markup?: InlineKeyboardMarkup }> => {
    const answer = await core.lists.request(device, { kind: "transcripts" });
    if ("error" in answer) return { text: `No list of claude sessions: ${answer.error}` };
    const items = answer.ok.transcripts ?? [];
    const skipped = answer.ok.skipped ?? [];
    const note = skipped.length ? `(${skipped.length} could not be read: ${skipped.slice(0, 3).map((s) => `${s.id} ${s.reason}`).join("; ")}${skipped.length > 3 ? "; …" : ""})\n` : "";
    if (items.length === 0) {
      const roots = core.limits.of(device.id)?.roots;
      return { text: `${note}No claude sessions on ${device.name}${roots ? ` in ${roots.join(", ")}` : ""} yet. Run \`claude\` in a folder there, then /desk again.` };
    }
    return listView(chatId, device, items, 0, note);
  };

  deps.router.on("desk", async (ctx, { token }) => {
    const chatId = ctx.chat!.id;
    const tap = picks.get(chatId, token);
    if (!tap) return ctx.answerCallbackQuery({ text: "This list has expired. Send /desk again." });
    const device = await t.byId(ctx, tap.deviceId);
    const messageId = ctx.callbackQuery?.message?.message_id;
    if (!device || messageId === undefined) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    if (tap.action === "list") {
      const view = await listFromMachine(chatId, device);
      await messenger.edit(chatId, messageId, plain(view.text), view.markup ? { markup: view.markup } : {});
    } else if (tap.action === "page") {
      const view = listView(chatId, device, tap.items, tap.offset);
      await messenger.edit(chatId, messageId, plain(view.text), { markup: view.markup });
    } else if (tap.action === "show") {
      const view = detailView(chatId, device, tap);
      await messenger.edit(chatId, messageId, view.text, { markup: view.markup });
    } else {
      await messenger.edit(chatId, messageId, await continueHere(chatId, device, tap.id));
    }
    return ctx.answerCallbackQuery();
  });

  return (chatId, device) => [[button(chatId, "🖥 Sessions started in a terminal…", { deviceId: device.id, action: "list" })]];
}

/** A path as shown in a message: its end, when it is too long for one (Telegram takes 4096 characters). */
const clip = (path: string) => clipPath(path, 300);
const folderOf = (s: TranscriptItem) => basename(s.cwd) || s.cwd;
const quote = (text: string | undefined, max: number) => (text === undefined ? "(no prompt)" : `“${text.length <= max ? text : `${text.slice(0, max - 1)}…`}”`);

/** Like `ago`, but a transcript touched in the last minute was "just now". */
const agoText = (ms: number) => (Math.round(ms / 1000) < 60 ? "just now" : elapsed(ms));
