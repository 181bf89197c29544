import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Clock } from "../../clock";
import { untrusted, type Log } from "../../log";
import type { Core } from "../core";
import type { Store } from "../store/types";
import type { OwnerClaim } from "../owner-claim";
import { Refusals, REFUSAL_TEXT } from "./access";
import { Messenger } from "./messenger";
import { COMMANDS, USER_COMMANDS } from "./command-list";
import type { RaContext } from "./context";
import { CallbackRouter } from "./callback-router";
import { registerHandlers } from "./handlers";
import type { ApprovalCards } from "./approval-cards";
import type { TurnSurface } from "./turn-surface";
import { ALLOWED_UPDATES } from "./allowed-updates";
import { Invites } from "../invites";
import { claimInvite } from "./users";
import { admitGroupUpdate } from "./groups";
import { maskOutgoing } from "./mask-transformer";
import { RetryAfter } from "./retry-after";
import { senderOf, type DraftRegistry } from "./drafts";
import { UpdateInbox } from "./update-inbox";
import type { Topics } from "./topics";
import type { AttachmentFetcher } from "../attachment-sources";
import { telegramFiles } from "./telegram-files";
import type { WebSignIn } from "./handler-deps";

import type { ChatGates } from "./chat-gate";

export type BotDeps = {
  token: string;
  apiRoot?: string;
  repo: Store;
  ownerClaim: OwnerClaim;
  clock: Clock;
  log: Log;
  editIntervalMs: number;
  pollTimeoutSeconds: number;
  /** Several relays on one Redis: each chat's calls take turns across them (none: this process alone paces). */
  chatGates?: ChatGates;
};

export type { RaContext } from "./context";

/** The surfaces' parts the handlers need, made once the core exists. */
export type Attachment = { core: Core; turnViews: TurnSurface; cards: ApprovalCards; topics?: Topics; drafts?: DraftRegistry; web?: WebSignIn };

export type TelegramSide = {
  bot: Bot<RaContext>;
  messenger: Messenger;
  /** Downloads the files users send (photos, documents) for the agents. */
  files: AttachmentFetcher;
  /** Wires the handlers to the core and the views (created after the messenger). */
  attach(parts: Attachment): void;
  /** getMe said the bot has topics in private chats (known after start). */
  topicsEnabled(): boolean;
  /** Polls, or with `webhook` only gets ready: updates then arrive through `receive`. */
  start(mode?: "webhook"): Promise<void>;
  /** Gets ready (getMe) without handling anything: several relays, and another one leads. */
  prepare(): Promise<void>;
  /** This relay now handles the bot's updates: what waited in the store, then polling (unless `webhook`). */
  lead(mode?: "webhook"): Promise<void>;
  /** Another relay leads now: polling stops (what is being handled finishes). */
  unlead(): Promise<void>;
  /**
   * Where stored webhook deliveries go while another relay leads (undefined: handled here).
   * Set by the relay that shares its work with others.
   */
  forwardTo(forward: ((update: Update) => Promise<void>) | undefined): void;
  /** Handles an update another relay stored (once: one handled before is skipped). */
  handle(update: Update): Promise<void>;
  /** A webhook delivery: stored first (dedupe, survives a crash), handled in the background; settles once stored for good. */
  receive(update: Update): Promise<"new" | "duplicate" | "stopping">;
  stop(): Promise<void>;
  /** Settles when polling ends on its own (a fatal Bot API error such as 401 or 409). */
  ended(): Promise<unknown>;
};

export function createTelegram(deps: BotDeps): TelegramSide {
  const bot = new Bot<RaContext>(deps.token, { client: { apiRoot: deps.apiRoot, timeoutSeconds: deps.pollTimeoutSeconds + 30 } });
  // Every call, in a lane or not, honours Telegram's retry_after (installed first: closest to the network).
  const retryAfter = new RetryAfter(deps.clock, deps.log);
  bot.api.config.use(retryAfter.transformer);
  const messenger = new Messenger(bot.api, deps.clock, deps.editIntervalMs, deps.log, retryAfter, deps.chatGates);
  const refusals = new Refusals(deps.clock);
  const invites = new Invites(deps.repo, deps.clock);
  let runner: RunnerHandle | undefined;
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  bot.api.config.use(maskOutgoing);
  // Every update is stored before it is handled and marked when done: see UpdateInbox.
  const inbox = new UpdateInbox(deps.repo, deps.clock);
  const store = (update: Update) => inbox.receive(update);
  bot.api.config.use(async (prev, method, payload, signal) => {
    // A getUpdates' offset tells Telegram to forget the updates before it: only once they are stored.
    if (method === "getUpdates") {
      const from = await inbox.settled();
      if (from !== undefined) payload = { ...payload, offset: from };
    }
    const result = await prev(method, payload, signal);
    if (method === "getUpdates" && result.ok) for (const update of result.result as Update[]) await store(update);
    return result;
  });
  bot.use(async (ctx, next) => {
    const id = ctx.update.update_id;
    if (await inbox.handled(id)) return;
    try {
      await next();
    } finally {
      await inbox.markHandled(id);
    }
  });

  bot.catch((err) => deps.log.error(`handling update ${err.ctx.update.update_id} failed: ${(err.error as Error)?.stack ?? err.error}`));

  // Prompts from one chat stay in order; commands and button taps bypass the queue so /stop and
  // Allow/Deny are never stuck behind a slow handler.
  bot.use(sequentialize((ctx) => (ctx.callbackQuery || ctx.update.stopped_message_generation || ctx.message?.text?.startsWith("/") ? undefined : ctx.chat?.id.toString())));

  bot.use(async (ctx, next) => {
    const chat = ctx.chat;
    if (chat && chat.type !== "private") return (await admitGroupUpdate(ctx, { ...deps, messenger })) ? next() : undefined;
    const from = senderOf(ctx);
    if (!from) return;
    const user = await deps.repo.user(from.id);
    if (user) {
      ctx.user = user;
      return next();
    }
    const text = ctx.message?.text ?? "";
    const claim = text.match(/^\/start(?:@\S+)?\s+(?:setup_)?(\S+)\s*$/);
    if (claim && (await deps.ownerClaim.redeem(claim[1]!))) {
      await deps.repo.addUser({ telegramId: from.id, role: "owner", name: [from.first_name, from.last_name].filter(Boolean).join(" "), createdAt: deps.clock.now() });
      deps.log.success(`${untrusted(from.first_name)} (${from.id}) is now the owner of this relay`);
      await messenger.send(from.id, {
        text: `✅ You are the owner of this relay.\n\nNext: on a machine, run\nra pair --relay <this relay's URL> --name laptop\nand send me the /pair command it prints.`,
        entities: [],
      });
      return;
    }
    if (await claimInvite(ctx, invites, messenger)) return;
    // A stranger's tap is answered privately (a toast only they see), never in the card's chat.
    const answer = refusals.shouldAnswer(from.id);
    if (ctx.callbackQuery) await ctx.answerCallbackQuery(answer ? { text: REFUSAL_TEXT } : {}).catch(() => {});
    else if (answer) await ctx.reply(REFUSAL_TEXT).catch(() => {});
  });

  let forward: ((update: Update) => Promise<void>) | undefined;
  // Polling that ends on its own (401, 409) ends the relay; a stop asked for (unlead, stop) does not.
  const ended = Promise.withResolvers<unknown>();
  ended.promise.catch(() => {});
  const track = (update: Update): Promise<void> => {
    const handled: Promise<void> = bot.handleUpdate(update).then(
      () => {},
      async (err) => void (await bot.errorHandler(err)),
    ).finally(() => inFlight.delete(handled));
    inFlight.add(handled);
    return handled;
  };
  const lead = async (mode?: "webhook") => {
    if (mode !== "webhook") await bot.api.deleteWebhook();
    await bot.api.setMyCommands([...COMMANDS, ...USER_COMMANDS]).catch((err) => deps.log.warn(`could not set the command menu: ${(err as Error).message}`));
    // Updates received before a crash but never handled are handled now, in order, once.
    const leftover = await inbox.leftover();
    if (leftover.length) deps.log.info(`handling ${leftover.length} update(s) received before the last stop`);
    for (const update of leftover) await bot.handleUpdate(update);
    await inbox.tidy();
    if (mode === "webhook" || stopping) return;
    const current = run(bot, { runner: { fetch: { timeout: deps.pollTimeoutSeconds, allowed_updates: ALLOWED_UPDATES } } });
    runner = current;
    current.task()?.then(
      () => runner === current && !stopping && ended.resolve(undefined),
      (err) => runner === current && !stopping && ended.reject(err),
    );
    deps.log.info(`Telegram bot @${bot.botInfo.username} is polling for messages`);
  };

  return {
    bot,
    messenger,
    files: telegramFiles(bot.api, deps.token, deps.apiRoot),
    attach(parts) {
      registerHandlers(bot, { ...parts, messenger, clock: deps.clock, log: deps.log, router: new CallbackRouter(), invites });
    },
    topicsEnabled: () => bot.isInited() && bot.botInfo.has_topics_enabled === true,
    async start(mode) {
      await bot.init();
      await lead(mode);
    },
    prepare: () => bot.init(),
    lead,
    async unlead() {
      const current = runner;
      runner = undefined;
      if (current?.isRunning()) await current.stop();
    },
    forwardTo(to) {
      forward = to;
    },
    handle(update) {
      return track(update);
    },
    async receive(update) {
      if (stopping) return "stopping";
      if (!(await store(update))) {
        // Telegram delivers again when passing it on failed: pass it on now (the leading relay handles it once).
        if (forward && !(await inbox.handled(update.update_id))) await forward(update);
        return "duplicate";
      }
      const durable = deps.repo.committed();
      if (forward) {
        await durable;
        await forward(update);
        return "new";
      }
      void track(update);
      await durable; // a failed commit rejects: Telegram is not answered 200 and delivers the update again
      return "new";
    },
    async stop() {
      stopping = true;
      if (runner?.isRunning()) await runner.stop();
      await Promise.all(inFlight);
    },
    ended() {
      return ended.promise;
    },
  };
}
