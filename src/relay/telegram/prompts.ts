import type { Bot } from "grammy";
import type { Device } from "../store/types";
import { code, concatFormatted, plain } from "../format";
import type { RaContext } from "./context";
import { replier, type HandlerDeps } from "./handler-deps";
import { parseMention } from "./mention";
import { NO_DEVICE, type Targets } from "./targets";

/**
 * Plain messages are prompts: for the topic's or selected machine, `@name prompt` for another one,
 * or, with several machines and none selected, held until the owner taps one. Registered last:
 * anything no command took ends here.
 */
export function registerPrompts(bot: Bot<RaContext>, deps: HandlerDeps, t: Targets): void {
  const { core, messenger } = deps;
  const say = replier(messenger);
  /** Prompts that arrived while no machine was selected, per chat and person; sent once that person taps one. */
  const waitingPrompt = new Map<string, string>();
  const waitKey = (chatId: number, userId: number) => `${chatId}:${userId}`;

  const submit = async (chatId: number, device: Device, text: string) => {
    // With topics on, the device's topic exists before anything is written for the turn.
    await deps.topics?.ensure(chatId, device);
    core.turns.submit(chatId, device, text);
  };

  deps.router.on("use", async (ctx, { deviceId }) => {
    const chatId = ctx.chat!.id;
    const device = t.visible(ctx).find((d) => d.id === deviceId);
    if (!device) return ctx.answerCallbackQuery({ text: "That machine is no longer paired." });
    core.store.selectDevice(chatId, device.id);
    await ctx.answerCallbackQuery({ text: `Prompts now go to ${device.name}` });
    // In a group, each person's waiting prompt runs where that person taps, never where someone else does.
    const key = waitKey(chatId, ctx.from!.id);
    const prompt = waitingPrompt.get(key);
    waitingPrompt.delete(key);
    if (prompt) await submit(chatId, device, prompt);
    else await say(ctx, `Prompts now go to ${device.name} (${t.state(device)}).`);
  });

  bot.on("message:text", async (ctx) => {
    const text = ctx.message.text;
    if (text.startsWith("/")) return say(ctx, `Unknown command ${text.split(/\s/, 1)[0]}. /help lists what I understand.`);
    if (core.approvals.reason(ctx.chat.id, ctx.from.id, text)) return;
    const mention = parseMention(text);
    if (mention && mention.name.toLowerCase() !== ctx.me.username.toLowerCase()) return promptOne(ctx, mention);
    const device = t.target(ctx);
    if (device === "none") return say(ctx, NO_DEVICE);
    if (device === "choose") {
      waitingPrompt.set(waitKey(ctx.chat.id, ctx.from.id), text);
      return say(ctx, "Which machine should run this? Tap one (it is remembered for the next prompts):", t.chooser(ctx.user!));
    }
    await submit(ctx.chat.id, device, text);
  });

  /** `@name prompt`: one prompt for another machine; the selection stays as it is. */
  const promptOne = (ctx: RaContext, { name, prompt }: { name: string; prompt: string }) => {
    const devices = t.visible(ctx);
    const device = devices.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (!device) return say(ctx, devices.length ? `No machine called "${name}". Yours: ${devices.map((d) => d.name).join(", ")}.` : NO_DEVICE);
    if (!prompt) return say(ctx, `Write the prompt after the name, like: @${device.name} run the tests`);
    return submit(ctx.chat!.id, device, prompt);
  };

  bot.on("message", (ctx) => say(ctx, concatFormatted(plain("I can only take text prompts for now. "), code("/help"), plain(" lists the commands."))));
}
