import type { Bot } from "grammy";
import { bold, concatFormatted, plain } from "../format";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import type { Targets } from "./targets";

/** /pending, /audit and the buttons on approval cards. */
export function registerApprovalCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger, cards } = deps;
  const say = replier(messenger);

  bot.command("pending", async (ctx) => {
    const visible = new Set((await t.visible(ctx)).map((d) => d.id));
    const open = (await core.approvals.pending(ctx.chat.id)).filter((a) => visible.has(a.deviceId));
    if (open.length === 0) return say(ctx, "No approval is waiting for you.");
    await say(ctx, `${open.length} request${open.length === 1 ? " is" : "s are"} waiting; here ${open.length === 1 ? "it is" : "they are"} again:`);
    for (const approval of open) await cards.resend(approval);
  });

  bot.command("audit", async (ctx) => {
    const rows = await core.store.lastAudit(20, ctx.user!.role === "owner" ? undefined : (await t.visible(ctx)).map((d) => d.id));
    if (rows.length === 0) return say(ctx, "No approval decisions yet.");
    const names = new Map((await core.store.allDevices()).map((d) => [d.id, d.name]));
    const lines = rows.map((r) => {
      const who = r.userId ? (r.userId === ctx.from?.id ? "you" : String(r.userId)) : "ra";
      const latency = r.latencyMs >= 1000 ? `${Math.round(r.latencyMs / 1000)} s` : `${r.latencyMs} ms`;
      return `${new Date(r.at).toISOString().slice(5, 16).replace("T", " ")} ${names.get(r.deviceId) ?? r.deviceId} ${r.toolName}: ${r.answer} (${who}, ${latency}, ${r.inputDigest.slice(0, 8)})`;
    });
    return say(ctx, concatFormatted(bold("Last approval decisions (UTC)\n"), plain(lines.join("\n"))));
  });

  deps.router.on("approval", async (ctx, { approvalId, action }) =>
    ctx.answerCallbackQuery({ text: await core.approvals.answer(approvalId, action, ctx.from!.id, ctx.chat!.id) }));
}
