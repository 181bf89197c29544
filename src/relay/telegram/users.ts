import type { Bot } from "grammy";
import type { Core } from "../core";
import { visibleDevices } from "../core/devices";
import type { User } from "../store/types";
import { bold, concatFormatted, plain, type FormattedText } from "../format";
import { INVITE_PREFIX, type Invites } from "../invites";
import type { Log } from "../../log";
import type { RaContext } from "./context";
import { encodeCallback } from "./callback-data";
import type { CallbackRouter } from "./callback-router";
import type { Messenger } from "./messenger";

type Deps = { core: Core; invites: Invites; messenger: Messenger; router: CallbackRouter; log: Log; /** Signs a removed person's browsers out of the web app. */ signOut?: (userId: number) => Promise<void> };

const ONLY_OWNERS = "Only an owner of this relay can do that.";
const fullName = (from: { first_name: string; last_name?: string; username?: string }) =>
  [from.first_name, from.last_name].filter(Boolean).join(" ") + (from.username ? ` (@${from.username})` : "");

/**
 * Who may use the bot: owners /invite a second person (a one-time link; an owner confirms who
 * claimed it), list everyone with /users and remove a user (their machines are revoked with them).
 */
export function registerUsers(bot: Bot<RaContext>, deps: Deps): void {
  const { invites, messenger, router } = deps;
  const repo = deps.core.store;
  const say = (ctx: RaContext, ft: FormattedText | string, markup?: { inline_keyboard: { text: string; callback_data: string }[][] }) =>
    messenger.send(ctx.chat!.id, typeof ft === "string" ? plain(ft) : ft, { markup });
  const isOwner = (ctx: RaContext) => ctx.user?.role === "owner";

  bot.command("invite", async (ctx) => {
    if (!isOwner(ctx)) return say(ctx, ONLY_OWNERS);
    const { id, secret } = await invites.create(ctx.user!.telegramId);
    const link = `https://t.me/${bot.botInfo.username}?start=${INVITE_PREFIX}${secret}`;
    const sent = await say(ctx, concatFormatted(
      bold("Invite a second person\n"),
      plain(`Send them this link (it works once, for 24 hours):\n${link}\n\nWhen they open it you get a card with their Telegram name and id, and they get in only if you tap Let in. They will see and drive only the machines they pair themselves.`),
    ));
    if (sent) await invites.shownIn(id, sent.message_id);
  });

  bot.command("users", async (ctx) => {
    if (!isOwner(ctx)) return say(ctx, ONLY_OWNERS);
    const everyone = await repo.allUsers();
    const lines = await Promise.all(everyone.map(async (u) => {
      const machines = (await repo.devicesOf(u.telegramId)).length;
      return `${u.role === "owner" ? "👑" : "👤"} ${u.name || "(no name)"} (${u.telegramId}) – ${u.role} · ${machines} machine${machines === 1 ? "" : "s"}`;
    }));
    const rows = everyone.filter((u) => u.role === "user").map((u) => [{ text: `🗑 Remove ${u.name || u.telegramId}`, callback_data: encodeCallback({ kind: "removeUser", userId: u.telegramId, step: "?" }) }]);
    return say(ctx, concatFormatted(bold("People who may use this bot\n"), plain(`${lines.join("\n")}\n\n/invite lets someone else in.`)), rows.length ? { inline_keyboard: rows } : undefined);
  });

  const askRemove = async (ctx: RaContext, user: User) => {
    const machines = (await repo.devicesOf(user.telegramId)).map((d) => d.name);
    return say(ctx, `Remove ${user.name || user.telegramId} (${user.telegramId})? They can no longer use this bot${machines.length ? `, and their machines (${machines.join(", ")}) are revoked at once` : ""}.`, {
      inline_keyboard: [[{ text: "🗑 Yes, remove", callback_data: encodeCallback({ kind: "removeUser", userId: user.telegramId, step: "y" }) }, { text: "Cancel", callback_data: encodeCallback({ kind: "removeUser", userId: user.telegramId, step: "n" }) }]],
    });
  };

  // `/revoke NAME` is for machines (commands.ts); a user's id, or a user's name no machine of yours has, means that user.
  bot.command("revoke", async (ctx, next) => {
    if (!isOwner(ctx)) return next();
    const wanted = ctx.match.trim().replace(/^@/, "").toLowerCase();
    if (!wanted || (await visibleDevices(repo, ctx.user!)).some((d) => d.name.toLowerCase() === wanted)) return next();
    const user = (await repo.allUsers()).find((u) => u.role === "user" && (String(u.telegramId) === wanted || u.name.toLowerCase() === wanted));
    return user ? askRemove(ctx, user) : next();
  });

  router.on("removeUser", async (ctx, { userId, step: action }) => {
    if (!isOwner(ctx)) return ctx.answerCallbackQuery({ text: ONLY_OWNERS });
    const user = await repo.user(userId);
    if (!user || user.role !== "user") return ctx.answerCallbackQuery({ text: "That person is no longer a user." });
    if (action === "?") {
      await ctx.answerCallbackQuery();
      return askRemove(ctx, user);
    }
    const message = ctx.callbackQuery!.message?.message_id;
    if (action === "n") {
      await ctx.answerCallbackQuery({ text: "Kept" });
      if (message) await messenger.edit(ctx.chat!.id, message, plain(`${user.name || user.telegramId} stays a user.`));
      return;
    }
    const machines = await repo.devicesOf(user.telegramId);
    for (const device of machines) await deps.core.machines.revoke(device);
    await repo.deleteUser(user.telegramId);
    await deps.signOut?.(user.telegramId);
    deps.log.info(`user ${user.telegramId} removed by ${ctx.from!.id} (${machines.length} machine(s) revoked)`);
    await ctx.answerCallbackQuery({ text: "Removed" });
    if (message) await messenger.edit(ctx.chat!.id, message, plain(`🗑 ${user.name || user.telegramId} can no longer use this bot${machines.length ? `; revoked ${machines.map((d) => d.name).join(", ")}` : ""}.`));
    await messenger.send(user.telegramId, plain("An owner of this relay removed your access to this bot."));
  });

  router.on("invite", async (ctx, { inviteId, accept }) => {
    if (!isOwner(ctx)) return ctx.answerCallbackQuery({ text: ONLY_OWNERS });
    const invite = accept ? await invites.accept(inviteId) : await invites.refuse(inviteId);
    if (!invite) return ctx.answerCallbackQuery({ text: "This invite was already decided." });
    const who = invite.claimedName ?? String(invite.claimedBy);
    await ctx.answerCallbackQuery({ text: accept ? "Let in" : "Refused" });
    const message = ctx.callbackQuery!.message?.message_id;
    if (message) await messenger.edit(ctx.chat!.id, message, plain(accept ? `✅ ${who} can use this bot now. /users lists everyone.` : `✖ ${who} was not let in.`));
    deps.log.info(`invite ${accept ? "accepted" : "refused"} for ${invite.claimedBy} by ${ctx.from!.id}`);
    await messenger.send(invite.claimedBy!, plain(accept
      ? "✅ You can use this bot now. Pair a machine: run `ra pair --relay <relay URL> --name laptop` on it and send me the /pair command it prints."
      : "The owner did not confirm your invite."));
  });
}

/**
 * Before the refusal a stranger gets: `/start inv_<secret>` from an open invite claims it, and the
 * owner who made it gets a card to confirm. Anything else (unknown, used, expired) is refused like
 * any stranger's message, with no hint. True when the message was an invite that was claimed.
 */
export async function claimInvite(ctx: RaContext, invites: Invites, messenger: Messenger): Promise<boolean> {
  const secret = ctx.message?.text?.match(new RegExp(`^/start(?:@\\S+)?\\s+${INVITE_PREFIX}([A-Za-z0-9_-]{22})\\s*$`))?.[1];
  const from = ctx.from;
  if (!secret || !from) return false;
  const invite = await invites.claim(secret, { id: from.id, name: fullName(from) });
  if (!invite) return false;
  // The link has done its job: take it out of the owner's chat.
  if (invite.messageId) await messenger.edit(invite.invitedBy, invite.messageId, plain(`Invite link used by ${fullName(from)}; it no longer works. Confirm below.`));
  await messenger.send(invite.invitedBy, concatFormatted(
    bold("Let this person use your bot?\n"),
    plain(`${fullName(from)}, Telegram id ${from.id}, opened your invite.\nThey will see and drive only the machines they pair themselves.`),
  ), { markup: { inline_keyboard: [[{ text: "✅ Let in", callback_data: encodeCallback({ kind: "invite", inviteId: invite.id, accept: true }) }, { text: "✖ Refuse", callback_data: encodeCallback({ kind: "invite", inviteId: invite.id, accept: false }) }]] }, urgent: true });
  await messenger.send(from.id, plain("Thanks. The owner who invited you was asked to confirm; you get a message here when they do."));
  return true;
}
