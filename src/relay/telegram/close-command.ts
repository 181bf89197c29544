import type { Bot } from "grammy";
import type { Device } from "../store/types";
import type { CloseResult } from "../core/turns";
import { maskSecrets } from "../mask-secrets";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { noTarget, type Targets } from "./targets";
import { sessionLabel, shortPrompt, topicTitle } from "./session-label";

/** /close and /close N: ends a conversation with the selected machine (never a running turn). */
export function registerCloseCommand(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger } = deps;
  const say = replier(messenger);

  bot.command("close", async (ctx) => {
    const device = await t.target(ctx);
    if (typeof device !== "object") return say(ctx, noTarget(device));
    const arg = ctx.match.trim().replace(/^#/, "");
    if (arg && !/^\d{1,9}$/.test(arg)) return say(ctx, "Usage: /close closes the current conversation, /close 3 closes #3 (/sessions lists them).");
    // In a conversation's own topic, /close means that conversation.
    const own = arg ? undefined : await t.topicSession(ctx);
    const number = arg ? Number(arg) : own ? (await core.store.session(own))?.number : undefined;
    const roots = core.limits.of(device.id)?.roots;
    const before = number === undefined ? undefined : (await core.store.sessionsOf(ctx.chat.id, device.id)).find((s) => s.number === number);
    const result = await core.turns.close(ctx.chat.id, device.id, number);
    const after = result.kind === "closed" && result.next ? await core.store.sessionsOf(ctx.chat.id, device.id) : [];
    const firstPrompt = (sessionId: string) => after.find((s) => s.id === sessionId)?.firstPrompt ?? null;
    await say(ctx, closeReply(result, device, number, { roots, firstPrompt }));
    // Its topic stays as a record of the conversation, named as closed.
    if (result.kind === "closed" && result.session.threadId !== null) {
      void deps.topics?.rename(result.session, `✖ ${topicTitle(device.name, result.session, roots, before?.firstPrompt ?? undefined)}`);
    }
  });
}

/** What /close says: what was closed, where prompts go now, and that the machine keeps claude's transcript. */
export function closeReply(result: CloseResult, device: Device, number: number | undefined, about: { roots?: readonly string[]; firstPrompt(sessionId: string): string | null }): string {
  switch (result.kind) {
    case "missing":
      return number === undefined
        ? `No open conversation with ${device.name} in this chat: nothing to close.`
        : `No open conversation #${number} with ${device.name} in this chat: /sessions lists the open ones.`;
    case "running": {
      const n = result.session.number;
      return `#${n} is running a turn: /stop it first (or its ⏹ Stop button), then /close${number === undefined ? "" : ` ${n}`}.`;
    }
    case "closed": {
      const { session, cancelled, next } = result;
      const dropped = cancelled > 0 ? ` ${cancelled} waiting prompt${cancelled === 1 ? " was" : "s were"} cancelled.` : "";
      const first = next && about.firstPrompt(next.id);
      const now = next
        ? `Prompts to ${device.name} now go to ${sessionLabel(next, about.roots)}${first ? `: "${maskSecrets(shortPrompt(first)).text}"` : ""}.`
        : `Your next message to ${device.name} starts a fresh conversation.`;
      const transcript = session.claudeSessionId ? ` claude's transcript stays on ${device.name}: /desk can continue it.` : "";
      const worktree = session.worktree ? ` 🌿 ${device.name} removes its git worktree if nothing in it is left uncommitted or unmerged; otherwise it says where the worktree is kept.` : "";
      return `✖️ Closed ${sessionLabel(session, about.roots)}.${dropped} ${now}${transcript}${worktree}`;
    }
  }
}
