import type { Bot } from "grammy";
import type { Conversations } from "../conversations";
import type { RaContext } from "./bot";

/** The Status button of a running turn and "Keep waiting" on a silence notice. */
export function registerTurnButtons(bot: Bot<RaContext>, conversations: Conversations): void {
  bot.callbackQuery(/^st:(.+)$/, (ctx) => {
    const summary = ctx.chat && conversations.turnSummary(ctx.match[1]!, ctx.chat.id);
    return ctx.answerCallbackQuery({ text: (summary ?? "This turn is not yours.").slice(0, 200) });
  });
  bot.callbackQuery(/^kw:(.+)$/, (ctx) => {
    const waiting = ctx.chat !== undefined && conversations.keepWaiting(ctx.match[1]!, ctx.chat.id);
    return ctx.answerCallbackQuery({ text: waiting ? "OK, waiting" : "This turn already ended." });
  });
}
