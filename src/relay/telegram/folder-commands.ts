import type { Bot } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { basename, join } from "node:path";
import type { ListResult } from "../../proto";
import type { Device } from "../store/types";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { Picks } from "./picks";
import { clipPath } from "./session-label";
import { noTarget, type Targets } from "./targets";
import { plain } from "../format";

/** What a picker button does: open a folder (a page of it; null path = the machine's roots), or use one. */
type FolderTap = { deviceId: string; action: "open"; path: string | null; offset: number } | { deviceId: string; action: "use"; path: string };
type Page = NonNullable<ListResult["folders"]>;

/** Subfolders per page of the picker. */
export const FOLDER_PAGE = 8;

/** A typed /cd argument is a path (as before) when it has a slash or starts like one; otherwise a folder name to look for. */
const isPath = (arg: string) => arg.includes("/") || arg.startsWith("~") || arg === "." || arg === "..";

/** /cd: the folder picker (buttons), /cd NAME (found under the machine's roots) and /cd PATH. */
export function registerFolderCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger } = deps;
  const { turns } = core;
  const say = replier(messenger);
  const picks = new Picks<FolderTap>(deps.clock);
  const button = (chatId: number, text: string, tap: FolderTap): InlineKeyboardButton => ({ text, callback_data: encodeCallback({ kind: "folder", token: picks.put(chatId, tap) }) });

  /** `from`: the conversation of the topic /cd was sent in (its topic moves to the fresh conversation). */
  const switchTo = async (chatId: number, device: Device, path: string, from?: string) => {
    await turns.stop(chatId, device.id, from);
    await turns.changeDir(chatId, device.id, path, from);
    return `📁 Next prompts on ${device.name} run in ${path} (a fresh conversation; ${device.name} checks that the folder is allowed).`;
  };

  const current = async (chatId: number, device: Device, from?: string) => (await turns.session(chatId, device.id, from)).cwd ?? core.limits.of(device.id)?.roots[0] ?? "its default folder";

  const picker = async (chatId: number, device: Device, page: Page, from?: string): Promise<{ text: string; markup: InlineKeyboardMarkup }> => {
    const where = page.path === null ? `${device.name}'s folders` : short(page.path, 300);
    const shown = page.items.length ? ` (${page.offset + 1}–${page.offset + page.items.length} of ${page.total})` : "";
    const lines = [
      `${device.name} runs prompts in ${short(await current(chatId, device, from), 300)}.`,
      `📁 ${where}: ${page.total === 0 ? "no subfolders" : `${page.total} folder${page.total === 1 ? "" : "s"}${shown}`}.`,
      page.path === null ? "Tap a folder to open it." : "Tap a folder to open it, or ✓ to run the next prompts here.",
    ];
    const rows: InlineKeyboardButton[][] = [];
    for (let i = 0; i < page.items.length; i += 2) {
      rows.push(page.items.slice(i, i + 2).map((f) => button(chatId, `📁 ${short(page.path === null ? f.path : f.name)}`, { deviceId: device.id, action: "open", path: f.path, offset: 0 })));
    }
    const nav: InlineKeyboardButton[] = [];
    if (page.up !== undefined) nav.push(button(chatId, "⬆ up", { deviceId: device.id, action: "open", path: page.up, offset: 0 }));
    if (page.offset > 0) nav.push(button(chatId, "‹ back", { deviceId: device.id, action: "open", path: page.path, offset: Math.max(0, page.offset - FOLDER_PAGE) }));
    if (page.offset + page.items.length < page.total) nav.push(button(chatId, "more ›", { deviceId: device.id, action: "open", path: page.path, offset: page.offset + page.items.length }));
    if (nav.length) rows.push(nav);
    if (page.path !== null) rows.push([button(chatId, "✓ use this folder", { deviceId: device.id, action: "use", path: page.path })]);
    return { text: lines.join("\n"), markup: { inline_keyboard: rows } };
  };

  const open = (device: Device, path: string | null, offset: number) =>
    core.lists.request(device, { kind: "folders", ...(path !== null ? { path } : {}), offset, limit: FOLDER_PAGE });

  bot.command("cd", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, noTarget(device));
    const chatId = ctx.chat.id;
    const arg = ctx.match.trim();
    const from = await t.topicSession(ctx);
    if (arg && isPath(arg)) return say(ctx, await switchTo(chatId, device, arg, from));
    if (arg.length > 255) return say(ctx, "That folder name is too long. Send /cd to browse, or /cd PATH.");
    if (arg) return byName(ctx, device, arg);
    const session = await turns.session(chatId, device.id, from);
    let answer = await open(device, session.cwd, 0);
    let note = "";
    if ("error" in answer && answer.refused && session.cwd) {
      // The current folder vanished (or left the roots): show the roots instead, saying why.
      note = `Your folder: ${answer.error}.\n`;
      answer = await open(device, null, 0);
    }
    if ("error" in answer) return say(ctx, `${device.name} runs prompts in ${await current(chatId, device, from)}. No folder list: ${answer.error} /cd PATH still works.`);
    const view = await picker(chatId, device, answer.ok.folders!, from);
    return say(ctx, note + view.text, view.markup);
  });

  const byName = async (ctx: RaContext, device: Device, name: string) => {
    const chatId = ctx.chat!.id;
    const answer = await core.lists.request(device, { kind: "find", query: name });
    if ("error" in answer) return say(ctx, `Could not look for "${name}": ${answer.error}`);
    const { paths, truncated } = answer.ok.found!;
    const roots = core.limits.of(device.id)?.roots ?? [];
    // `/cd name` always meant the folder of that name in the first root: it wins when it exists.
    const direct = roots[0] !== undefined ? paths.find((p) => p === join(roots[0]!, name)) : undefined;
    if (direct || paths.length === 1) return say(ctx, await switchTo(chatId, device, direct ?? paths[0]!, await t.topicSession(ctx)));
    if (paths.length === 0) return say(ctx, `No folder called "${name}" under ${device.name}'s folders${roots.length ? ` (${roots.join(", ")})` : ""}${truncated ? " within the part searched" : ""}. Send /cd to browse, or /cd PATH.`);
    const rows = paths.map((p) => [button(chatId, `📁 ${short(p, 60)}`, { deviceId: device.id, action: "use", path: p })]);
    return say(ctx, `${paths.length} folders on ${device.name} match "${name}"${truncated ? " (maybe more: type more of the name)" : ""}. Which one?`, { inline_keyboard: rows });
  };

  deps.router.on("folder", async (ctx, { token }) => {
    const chatId = ctx.chat!.id;
    const tap = picks.get(chatId, token);
    if (!tap) return ctx.answerCallbackQuery({ text: "This picker has expired. Send /cd again." });
    const device = await t.byId(ctx, tap.deviceId);
    const messageId = ctx.callbackQuery?.message?.message_id;
    if (!device || messageId === undefined) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    if (tap.action === "use") {
      await messenger.edit(chatId, messageId, plain(await switchTo(chatId, device, tap.path, await t.topicSession(ctx))));
      return ctx.answerCallbackQuery({ text: `Now in ${basename(tap.path) || tap.path}` });
    }
    const answer = await open(device, tap.path, tap.offset);
    if ("error" in answer) return ctx.answerCallbackQuery({ text: answer.error.slice(0, 200), show_alert: true });
    const view = await picker(chatId, device, answer.ok.folders!, await t.topicSession(ctx));
    await messenger.edit(chatId, messageId, plain(view.text), { markup: view.markup });
    return ctx.answerCallbackQuery();
  });
}

/** A button label: the end of a long name is what tells folders apart. */
const short = (name: string, max = 28) => clipPath(name, max);
