import type { Bot } from "grammy";
import { untrusted } from "../../log";
import { plain } from "../format";
import type { WebSessionRow } from "../store/web";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps, type WebSignIn } from "./handler-deps";

/** /web: a one-time sign-in link for the web app, and the person's signed-in browsers with Revoke buttons. */
export function registerWeb(bot: Bot<RaContext>, deps: HandlerDeps, web: WebSignIn): void {
  const say = replier(deps.messenger);
  /** Where each unused link was sent (links live 5 minutes; a restart forgets, and the link still dies). */
  const shownIn = new Map<string, { chatId: number; messageId: number }>();
  // Once used, the link leaves the chat history: its message says what happened instead.
  web.auth.onLinkUsed((loginId, userAgent) => {
    const shown = shownIn.get(loginId);
    shownIn.delete(loginId);
    if (shown) void deps.messenger.edit(shown.chatId, shown.messageId, plain(`✅ This link signed in ${browserOf(userAgent)}; it no longer works. Send /web for a new one or to see your browsers.`));
  });

  bot.command("web", async (ctx) => {
    // The link signs its holder in as this person: never into a group's history.
    if (ctx.chat.type !== "private") return say(ctx, "Send /web in your private chat with me: the sign-in link is for you alone.");
    const user = ctx.user!;
    const { id, secret } = await web.auth.mintLink(user.telegramId);
    const sessions = await web.auth.sessionsOf(user.telegramId);
    const now = deps.clock.now();
    const lines = [
      `Open this link to sign in to the web app (it works once, for 5 minutes):\n${web.baseUrl()}/login?t=${secret}`,
      sessions.length
        ? `\nSigned-in browsers (tap to sign one out):\n${sessions.map((s, i) => `${i + 1}. ${describeSession(s, now)}`).join("\n")}`
        : "\nNo browser is signed in yet.",
    ];
    const rows = sessions.map((s, i) => [{ text: `🚪 Sign out ${i + 1}. ${browserOf(s.userAgent)}`, callback_data: encodeCallback({ kind: "webRevoke", sessionId: s.id }) }]);
    const sent = await say(ctx, lines.join("\n"), rows.length ? { inline_keyboard: rows } : undefined);
    if (sent) shownIn.set(id, { chatId: ctx.chat.id, messageId: sent.message_id });
    for (const [loginId] of [...shownIn].slice(0, Math.max(0, shownIn.size - 100))) shownIn.delete(loginId);
  });

  deps.router.on("webRevoke", async (ctx, { sessionId }) => {
    const mine = (await web.auth.sessionsOf(ctx.user!.telegramId)).find((s) => s.id === sessionId);
    if (!mine || !(await web.auth.revoke(sessionId))) return ctx.answerCallbackQuery({ text: "That browser is already signed out." });
    deps.log.info(`${ctx.user!.telegramId} signed out a web session (${untrusted(browserOf(mine.userAgent))} from ${mine.ip})`);
    await ctx.answerCallbackQuery({ text: "Signed out" });
    const message = ctx.callbackQuery!.message?.message_id;
    if (message) await deps.messenger.edit(ctx.chat!.id, message, plain(`🚪 Signed out: ${describeSession(mine, deps.clock.now())}. Its open page closed at once.`));
  });
}

function describeSession(s: WebSessionRow, now: number): string {
  return `${browserOf(s.userAgent)} · ${s.ip} · signed in ${ago(now - s.createdAt)}, last seen ${ago(now - s.lastSeenAt)}`;
}

/** "Chrome on Android" from a User-Agent header (a hint for the person, not a fact). */
export function browserOf(userAgent: string): string {
  const browser = /Edg\//.test(userAgent) ? "Edge" : /Firefox\//.test(userAgent) ? "Firefox" : /Chrom(e|ium)\//.test(userAgent) ? "Chrome" : /Safari\//.test(userAgent) ? "Safari" : "A browser";
  const os = /Android/.test(userAgent) ? "Android" : /iPhone|iPad/.test(userAgent) ? "iOS" : /Mac OS X/.test(userAgent) ? "macOS" : /Windows/.test(userAgent) ? "Windows" : /Linux/.test(userAgent) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
