import type { Bot } from "grammy";
import { code, concatFormatted, plain } from "../format";
import type { FileDelivery } from "../core/files";
import type { Device, Session } from "../store/types";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { threadOfUpdate } from "./topics";
import { NO_DEVICE, type Targets } from "./targets";

/** /get PATH and the 📎 buttons under a finished turn: a file of the machine, sent as a document. */
export function registerFileCommands(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger } = deps;
  const say = replier(messenger);

  /** Sends the file where it was asked for, or says why it did not come. */
  const deliveryTo = (chatId: number, threadId: number | undefined, path: string): FileDelivery => ({
    async deliver(name, bytes) {
      const sent = await messenger.file(chatId, name, bytes, { caption: path, threadId });
      if (!sent) throw new Error("Telegram did not take it");
    },
    fail: (why) => void messenger.send(chatId, plain(`📎 ${why}`), { threadId }),
  });

  /** A diff is text that may quote secrets: masked like an answer before it reaches Telegram. */
  const diffTo = (chatId: number, threadId: number | undefined, turnId: string): FileDelivery => ({
    async deliver(name, bytes) {
      const sent = await messenger.document(chatId, name, new TextDecoder().decode(bytes), `🧾 What turn ${turnId} changed`, threadId);
      if (!sent) throw new Error("Telegram did not take it");
    },
    fail: (why) => void messenger.send(chatId, plain(`🧾 ${why}`), { threadId }),
  });

  const ask = async (ctx: RaContext, session: Session, device: Device, path: string, diffOf?: string) => {
    const delivery = diffOf ? diffTo(ctx.chat!.id, threadOfUpdate(ctx), diffOf) : deliveryTo(ctx.chat!.id, threadOfUpdate(ctx), path);
    const outcome = core.files.request(session, device, path, delivery, diffOf ? { diffOf } : {});
    return outcome === "sent" ? undefined : `${await t.label(device, ctx.user)} is offline; files come from it while it is connected.`;
  };

  bot.command("get", async (ctx) => {
    const path = ctx.match.trim();
    if (!path) return say(ctx, concatFormatted(plain("Which file? Send "), code("/get PATH"), plain(", like "), code("/get dist/report.pdf"), plain(" (relative to the folder the machine works in; see /cd).")));
    const device = await t.target(ctx);
    if (device === "none") return say(ctx, NO_DEVICE);
    if (device === "choose") return say(ctx, "Pick the machine first (tap one), then send /get again:", await t.chooser(ctx.user!));
    const refused = await ask(ctx, await core.turns.session(ctx.chat.id, device.id, await t.topicSession(ctx)), device, path);
    if (refused) return say(ctx, refused);
  });

  /** A button's turn in this chat, with its conversation and machine; or what to answer the tap. */
  const turnOf = async (ctx: RaContext, turnId: string) => {
    const turn = await core.store.turn(turnId);
    const session = turn && await core.store.session(turn.sessionId);
    const device = session && await t.byId(ctx, session.deviceId);
    if (!turn || !session || turn.chatId !== ctx.chat!.id) return { refusal: "This turn is not yours." };
    if (!device) return { refusal: "That machine is no longer paired." };
    return { turn, session, device };
  };

  deps.router.on("diff", async (ctx, { turnId }) => {
    const found = await turnOf(ctx, turnId);
    if ("refusal" in found) return ctx.answerCallbackQuery({ text: found.refusal });
    const { session, device } = found;
    const refused = await ask(ctx, session, device, "changes.diff", turnId);
    return ctx.answerCallbackQuery({ text: refused ?? `Asking ${device.name} for the changes…`, show_alert: refused !== undefined });
  });

  deps.router.on("file", async (ctx, { turnId, index }) => {
    const found = await turnOf(ctx, turnId);
    if ("refusal" in found) return ctx.answerCallbackQuery({ text: found.refusal });
    const { turn, session, device } = found;
    const path = (JSON.parse(turn.files) as string[])[index];
    if (!path) return ctx.answerCallbackQuery({ text: "That file is no longer listed." });
    const refused = await ask(ctx, session, device, path);
    return ctx.answerCallbackQuery({ text: refused ?? `Asking ${device.name} for ${path}…`, show_alert: refused !== undefined });
  });
}
