import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { Store } from "../store/types";
import { plain } from "../format";
import type { RaContext } from "./context";
import type { Messenger } from "./messenger";

const ENABLED = "✅ This group is enabled: people allowed to use this bot can prompt here, everyone else is ignored. An owner's /disallowgroup makes me leave.";
const HOW_TO_ENABLE = "Send /allowgroup here to let me work in this group. Until an owner does, I answer nobody here and leave at the next message.";

/**
 * Only private chats are served, unless an owner enabled a group by sending /allowgroup inside it.
 * The bot leaves any other group the moment it hears from it; when an owner adds it, it stays just
 * long enough to say how to enable the group. In an enabled group allowed users are served (ctx.user
 * is set) and everyone else is ignored: no refusals in front of the group.
 * True when the update goes on to the handlers.
 */
export async function admitGroupUpdate(ctx: RaContext, deps: { repo: Store; log: Log; clock: Clock; messenger: Messenger }): Promise<boolean> {
  const { repo, log } = deps;
  const chat = ctx.chat!;
  const say = (text: string) => deps.messenger.send(chat.id, plain(text));
  if (chat.type !== "group" && chat.type !== "supergroup") return false;
  const user = ctx.from ? await repo.user(ctx.from.id) : undefined;
  const owner = user?.role === "owner";
  const command = (ctx.message?.text ?? "").match(/^\/(allowgroup|disallowgroup)(?:@(\w+))?\s*$/);
  const forUs = command && (!command[2] || command[2].toLowerCase() === ctx.me.username.toLowerCase());
  const membership = ctx.myChatMember?.new_chat_member.status;
  const removed = membership === "left" || membership === "kicked";

  if (await repo.groupAllowed(chat.id)) {
    if (removed) {
      await repo.disallowGroup(chat.id);
      log.info(`removed from group ${chat.id}; it is no longer enabled`);
      return false;
    }
    if (forUs && command[1] === "disallowgroup" && owner) {
      await repo.disallowGroup(chat.id);
      log.info(`group ${chat.id} disabled by ${ctx.from!.id}`);
      await say("Leaving: an owner disabled this group.");
      await ctx.leaveChat().catch(() => {});
      return false;
    }
    if (forUs) {
      if (owner) await say("This group is already enabled.");
      return false;
    }
    if (!user) {
      // A stranger's tap on a card in the group: stop their spinner, say nothing.
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
      return false;
    }
    ctx.user = user;
    return true;
  }

  if (removed) return false;
  if (forUs && command[1] === "allowgroup" && owner) {
    await repo.allowGroup({ chatId: chat.id, title: "title" in chat ? (chat.title ?? "") : "", enabledBy: ctx.from!.id, enabledAt: deps.clock.now() });
    log.info(`group ${chat.id} enabled by ${ctx.from!.id}`);
    await say(ENABLED);
    return false;
  }
  if (membership && owner) {
    await say(HOW_TO_ENABLE);
    return false;
  }
  log.info(`left group ${chat.id}: no owner enabled it`);
  await ctx.leaveChat().catch(() => {});
  return false;
}
