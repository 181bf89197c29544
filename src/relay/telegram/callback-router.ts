import type { Bot } from "grammy";
import { decodeCallback, type Callback, type CallbackKind, type CallbackOf } from "./callback-data";
import type { RaContext } from "./context";

type Handler<K extends CallbackKind> = (ctx: RaContext, data: CallbackOf<K>) => unknown;
/** Runs before every handler; returns the refusal text for a tap that must go no further. */
type Guard = (ctx: RaContext, data: Callback) => Promise<string | undefined>;

/** The one place button taps are decoded and dispatched, one handler per kind of button. */
export class CallbackRouter {
  private handlers = new Map<CallbackKind, (ctx: RaContext, data: Callback) => unknown>();
  private guards: Guard[] = [];

  on<K extends CallbackKind>(kind: K, handler: Handler<K>): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} buttons is already registered`);
    this.handlers.set(kind, handler as (ctx: RaContext, data: Callback) => unknown);
  }

  guard(check: Guard): void {
    this.guards.push(check);
  }

  install(bot: Bot<RaContext>): void {
    bot.on("callback_query:data", async (ctx) => {
      const data = decodeCallback(ctx.callbackQuery.data);
      const handler = data && this.handlers.get(data.kind);
      if (!data || !handler || !ctx.chat) return ctx.answerCallbackQuery({ text: "This button is no longer valid." });
      for (const check of this.guards) {
        const refusal = await check(ctx, data);
        if (refusal) return ctx.answerCallbackQuery({ text: refusal });
      }
      return handler(ctx, data);
    });
  }
}
