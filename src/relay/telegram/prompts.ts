import type { Bot } from "grammy";
import type { Device, StoredAttachment } from "../store/types";
import { code, concatFormatted, plain } from "../format";
import { encodeCallback } from "./callback-data";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { parseMention } from "./mention";
import { NO_DEVICE, type Targets } from "./targets";
import { attachmentOf, uncaptioned } from "./telegram-files";
import { maskSecrets } from "../mask-secrets";
import { topicTitle } from "./session-label";
import { threadOfUpdate } from "./topics";

/** A prompt as written: its text and the files that came with it. */
type Draft = { text: string; attachments: StoredAttachment[] };

/**
 * Plain messages are prompts: for the topic's or selected machine, `@name prompt` for another one,
 * or, with several machines and none selected, held until the owner taps one. A photo or document
 * is a prompt too (its caption the text) that takes the file to the machine. Registered last:
 * anything no command took ends here.
 */
export function registerPrompts(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger } = deps;
  const say = replier(messenger);
  /** Prompts that arrived while no machine was selected, per chat and person; sent once that person taps one. */
  const waitingPrompt = new Map<string, Draft>();
  const waitKey = (chatId: number, userId: number) => `${chatId}:${userId}`;
  /** `@name prompt` whose name several machines share: held until its author taps which. */
  const oncePrompt = new Map<string, Draft>();

  /** `sessionId`: the conversation whose own topic the prompt was written in. */
  const submit = async (chatId: number, device: Device, { text, attachments }: Draft, sessionId?: string) => {
    // With topics on, the device's topic exists before anything is written for the turn.
    if (!sessionId) await deps.topics?.ensure(chatId, device);
    const turn = await core.turns.submit(chatId, device, text, { attachments, ...(sessionId ? { sessionId } : {}) });
    // A conversation's own topic is named after its first prompt once there is one (only where conversations get topics).
    if (!deps.topics?.available(chatId)) return;
    const session = await core.store.session(turn.sessionId);
    if (session?.threadId != null && (await core.store.lastTurns(session.id, 2)).length === 1) {
      void deps.topics?.rename(session, topicTitle(device.name, session, core.limits.of(device.id)?.roots, maskSecrets(text).text));
    }
  };

  deps.router.on("use", async (ctx, { deviceId }) => {
    const chatId = ctx.chat!.id;
    const device = await t.byId(ctx, deviceId);
    if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    await core.store.selectDevice(chatId, device.id);
    await ctx.answerCallbackQuery({ text: `Prompts now go to ${await t.label(device, ctx.user)}` });
    // In a group, each person's waiting prompt runs where that person taps, never where someone else does.
    const key = waitKey(chatId, ctx.from!.id);
    const prompt = waitingPrompt.get(key);
    waitingPrompt.delete(key);
    if (prompt) await submit(chatId, device, prompt);
    else await say(ctx, `Prompts now go to ${await t.label(device, ctx.user)} (${await t.state(device)}).`);
  });

  /** Sends a prompt where it belongs: `@name` in it, the topic's or selected machine, or asks which. */
  const route = async (ctx: RaContext, draft: Draft) => {
    const mention = parseMention(draft.text);
    if (mention && mention.name.toLowerCase() !== ctx.me.username.toLowerCase()) return promptOne(ctx, mention, draft);
    const device = await t.target(ctx);
    if (device === "none") return say(ctx, NO_DEVICE);
    if (device === "choose") {
      waitingPrompt.set(waitKey(ctx.chat!.id, ctx.from!.id), draft);
      return say(ctx, "Which machine should run this? Tap one (it is remembered for the next prompts):", await t.chooser(ctx.user!));
    }
    const own = await deps.topics?.sessionOf(ctx.chat!.id, threadOfUpdate(ctx));
    await submit(ctx.chat!.id, device, draft, own?.deviceId === device.id ? own.id : undefined);
  };

  bot.on("message:text", async (ctx) => {
    const text = ctx.message.text;
    if (text.startsWith("/")) return say(ctx, `Unknown command ${text.split(/\s/, 1)[0]}. /help lists what I understand.`);
    if (await core.approvals.reason(ctx.chat.id, ctx.from.id, text)) return;
    await route(ctx, { text, attachments: [] });
  });

  bot.on(["message:photo", "message:document"], async (ctx) => {
    const attachment = attachmentOf(ctx.message);
    if (!attachment) return;
    if ("refused" in attachment) return say(ctx, attachment.refused);
    const caption = ctx.message.caption?.trim();
    await route(ctx, { text: caption || uncaptioned(attachment), attachments: [attachment] });
  });

  /** `@name prompt`: one prompt for another machine; the selection stays as it is. */
  const promptOne = async (ctx: RaContext, { name, prompt }: { name: string; prompt: string }, draft: Draft) => {
    const found = await t.find(ctx, name);
    if ("none" in found) return say(ctx, found.none.length ? `No machine called "${name}". Yours: ${(await Promise.all(found.none.map((d) => t.label(d, ctx.user)))).join(", ")}.` : NO_DEVICE);
    const only = draft.attachments[0];
    if (!prompt && !only) return say(ctx, `Write the prompt after the name, like: @${name} run the tests`);
    const once = { text: prompt || uncaptioned(only!), attachments: draft.attachments };
    if ("ambiguous" in found) {
      // Held for this person until they tap which one; the chat's selection stays as it is.
      oncePrompt.set(waitKey(ctx.chat!.id, ctx.from!.id), once);
      return say(ctx, `${found.ambiguous.length} machines are called "${name}". Tap the one that should run this prompt:`, await t.buttons(found.ambiguous, ctx.user, (d) => encodeCallback({ kind: "runOnce", deviceId: d.id })));
    }
    return submit(ctx.chat!.id, found.device, once);
  };

  deps.router.on("runOnce", async (ctx, { deviceId }) => {
    const device = await t.byId(ctx, deviceId);
    if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    const key = waitKey(ctx.chat!.id, ctx.from!.id);
    const prompt = oncePrompt.get(key);
    if (!prompt) return ctx.answerCallbackQuery({ text: "Nothing of yours is waiting for a machine." });
    oncePrompt.delete(key);
    await ctx.answerCallbackQuery({ text: `Sent to ${await t.label(device, ctx.user)}` });
    await submit(ctx.chat!.id, device, prompt);
  });

  bot.on("message", async (ctx) => say(ctx, concatFormatted(plain("I take text prompts, photos and files (with the prompt as caption). "), code("/help"), plain(" lists the commands."))));
}
