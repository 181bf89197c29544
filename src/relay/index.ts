import { mkdirSync } from "node:fs";
import { systemClock, type Clock } from "../clock";
import { ExitCode, RaError } from "../errors";
import { createLog } from "../log";
import { keepPrivate } from "../private-files";
import { CloseCode, MAX_FRAME_BYTES } from "../proto";
import { createApp } from "./app";
import { socketHandlers } from "./agent-upgrade";
import { AttachmentSources } from "./attachment-sources";
import { FrameQueue } from "./frame-queue";
import { collectAfterStorms } from "./storm-gc";
import { BackingHealth, type Health } from "./backing-health";
import type { Joined } from "./redis/join";
import type { RelayConfig } from "./config";
import { LocalBus } from "./bus/local";
import { createCore } from "./core";
import type { CoreEvent } from "./core/events";
import { OwnerClaim } from "./owner-claim";
import { ApprovalCards } from "./telegram/approval-cards";
import { DeviceAlerts } from "./telegram/device-alerts";
import { Digests } from "./telegram/digest";
import { createTelegram } from "./telegram/bot";
import { TurnSurface } from "./telegram/turn-surface";
import { registerWebhook } from "./webhook";
import { loadWebhookSecret } from "./webhook-secret";
import { sharedSecret } from "./shared-secret";
import { DraftRegistry } from "./telegram/drafts";
import { Topics } from "./telegram/topics";
import { openStore } from "./open-store";
import { openShared } from "./open-shared";
import { createWeb } from "./web";

export type RelayHandle = {
  url: string;
  port: number;
  /** Set when the relay has no owner yet: the one-time code to send as /start CODE. */
  setupCode?: { code: string; file: string };
  /** With --web-login-code: a one-time code for the web app's login page (none while the relay has no owner). */
  webLoginCode?: { code: string; name: string; expiresAt: number } | "no_owner";
  /** Rejects when the bot cannot keep running (token revoked, another poller). */
  fatal: Promise<never>;
  stop(): Promise<void>;
};

export async function startRelay(config: RelayConfig, clock: Clock = systemClock): Promise<RelayHandle> {
  const log = createLog("relay");
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new RaError("data_dir", `cannot create the data directory ${config.dataDir}: ${(cause as Error).message}`, {
      hint: "pass a writable --data-dir (or RA_DATA_DIR)",
      exitCode: ExitCode.ioError,
    });
  }
  // Prompts, answers and approval inputs live here: only this user may read them, whatever existed before.
  keepPrivate(config.dataDir, { dir: "the relay's data folder", file: "the relay's file" }, (line) => log.warn(line));
  const surfaceFailed = (err: unknown, event: CoreEvent) => log.error(`a surface failed on ${event.type}: ${(err as Error)?.stack ?? err}`);
  const shared = config.redisUrl ? await openShared(config.redisUrl, clock, createLog("redis"), surfaceFailed) : undefined;
  // A relay that fails to start stops reading the shared event log too: that reader alone would keep the process alive.
  const state = await openStore(config, log).catch(async (err) => {
    await shared?.close();
    throw err;
  });
  const repo = state.store;
  const closeDb = async () => {
    await shared?.close();
    await state.close();
  };
  if (config.databaseUrl) log.info(`state in ${state.where}`);
  if (shared) log.info(`limits and chat pacing shared in Redis at ${shared.redis.where}`);
  const bus = shared?.bus ?? new LocalBus<CoreEvent>(surfaceFailed);
  // The Telegram surfaces: fed every event by one relay, or by the relay leading the bot when there are several.
  const surfaces = new LocalBus<CoreEvent>(surfaceFailed);
  if (!shared) bus.subscribe((event) => surfaces.publish(event));
  const core = createCore({ store: repo, bus, clock, log, approvalTimeoutMs: config.approvalTimeoutMs, counters: shared?.counters });
  const { hub } = core;
  const ownerClaim = new OwnerClaim(repo, clock, config.dataDir);

  for (const id of config.owners) await repo.addUser({ telegramId: id, role: "owner", name: "", createdAt: clock.now() });
  const setupCode = (await repo.owners()).length === 0 ? await ownerClaim.mint() : await ownerClaim.retire();

  const telegram = createTelegram({
    token: config.botToken,
    apiRoot: config.telegramApiRoot,
    repo,
    ownerClaim,
    clock,
    log: createLog("telegram"),
    editIntervalMs: config.editIntervalMs,
    pollTimeoutSeconds: config.pollTimeoutSeconds,
    ...(shared ? { chatGates: shared.chatGates } : {}),
  });
  const drafts = config.drafts ? new DraftRegistry() : undefined;
  const topics = new Topics(repo, telegram.messenger, clock, () => telegram.topicsEnabled());
  const turnViews = new TurnSurface({ store: repo, messenger: telegram.messenger, clock, log, maxMessages: config.maxMessages, silenceNoticeMs: config.silenceNoticeMs, topics, drafts, limits: core.limits });
  const cards = new ApprovalCards({ store: repo, messenger: telegram.messenger, threadOf: (chat, device, session) => topics.threadOf(chat, device, session) });
  surfaces.subscribe(turnViews.handle);
  surfaces.subscribe(cards.handle);
  surfaces.subscribe(new DeviceAlerts(telegram.messenger).handle);
  surfaces.subscribe(new Digests({ core, messenger: telegram.messenger, threadOf: (chat, device, session) => topics.threadOf(chat, device, session) }).handle);
  const web = createWeb({ core, store: state.web, clock, log: createLog("web"), dataDir: config.dataDir,
    ...(shared ? { signingKey: Buffer.from(sharedSecret(config.botToken, "web-signing-key"), "base64url") } : {}), publicUrl: config.publicUrl, tls: Boolean(config.tls), counters: shared?.counters });
  bus.subscribe(web.surface.handle);
  let listenUrl = "";
  telegram.attach({ core, turnViews, cards, topics, drafts, web: { auth: web.auth, baseUrl: () => config.publicUrl ?? listenUrl } });
  const webhookSecret = config.webhookUrl ? (shared ? sharedSecret(config.botToken, "webhook") : loadWebhookSecret(config.dataDir)) : undefined;

  try {
    // Several relays: the one leading the bot handles its updates (see joinRelays below).
    await (shared ? telegram.prepare() : telegram.start(webhookSecret ? "webhook" : undefined));
  } catch (cause) {
    await closeDb();
    throw telegramStartError(cause);
  }

  if (!shared) {
    await core.approvals.relayRestarted();
    await core.schedules.start();
  }
  const attachments = new AttachmentSources();
  attachments.register("telegram", telegram.files);
  const frames = new FrameQueue((err) => log.error(`handling an agent's frame failed: ${(err as Error)?.stack ?? err}`));
  const stopCollecting = collectAfterStorms(frames, clock);
  const backing = new BackingHealth([
    ...(state.ping ? [{ name: "Postgres", ping: state.ping }] : []),
    ...(shared ? [{ name: "Redis", ping: () => shared.redis.client.send("PING", []) }] : []),
  ], clock, log);
  let joined: Joined | undefined;
  const health = (): Health => (joined && !joined.member() && backing.health.ok ? { ok: false, down: ["Redis"], message: "this relay lost its place among the relays in Redis; it is waiting for Redis" } : backing.health);
  const app = createApp({ core, clock, log, attachments, frames, web, health, trustProxy: config.trustProxy, botUsername: () => telegram.bot.botInfo.username,
    webhook: webhookSecret ? { secret: webhookSecret, receive: telegram.receive, log: createLog("webhook") } : undefined,
  });
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: config.host,
      port: config.port,
      fetch: app.fetch,
      ...(config.tls ? { tls: config.tls } : {}),
      // Bun pings idle sockets and drops one that stays silent for 30 s: a dead link is noticed in time.
      websocket: { ...socketHandlers, maxPayloadLength: MAX_FRAME_BYTES, idleTimeout: 30, sendPings: true },
    });
  } catch (cause) {
    await telegram.stop();
    await closeDb();
    if (config.tls) {
      throw new RaError("tls", `cannot serve TLS with --tls-cert/--tls-key: ${(cause as Error).message}`, {
        hint: "pass a PEM certificate (chain) and its matching unencrypted PEM private key, or a free port with --listen",
        exitCode: ExitCode.config,
      });
    }
    throw new RaError("listen", `cannot listen on ${config.host}:${config.port}: ${(cause as Error).message}`, {
      hint: "pick a free port with --listen HOST:PORT",
      exitCode: ExitCode.unavailable,
    });
  }
  const url = `${config.tls ? "https" : "http"}://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${server.port}`;
  listenUrl = url;
  log.info(`listening on ${config.host}:${server.port}${config.tls ? " (TLS)" : ""}`);
  backing.start();
  if (config.webhookUrl && webhookSecret) {
    try {
      await registerWebhook(telegram.bot.api, config.webhookUrl, webhookSecret);
    } catch (cause) {
      server.stop(true);
      await telegram.stop();
      await closeDb();
      throw new RaError("webhook", `Telegram refused the webhook ${config.webhookUrl}: ${(cause as Error).message}`, {
        hint: "check that --public-url is reachable from the internet over https, or drop --webhook to use polling",
        exitCode: ExitCode.unavailable,
      });
    }
    log.info(`Telegram bot @${telegram.bot.botInfo.username} receives updates at ${config.webhookUrl}`);
  }

  joined = shared && (await shared.join({ core, telegram, surfaces, mode: webhookSecret ? "webhook" : "poll" }));
  let stopped = false;
  const fatal = new Promise<never>((_, reject) => {
    telegram.ended().then(
      () => !stopped && reject(new RaError("telegram_stopped", "the Telegram bot stopped polling unexpectedly", { exitCode: ExitCode.unavailable })),
      (cause) => !stopped && reject(telegramRunError(cause)),
    );
  });
  fatal.catch(() => {});
  return {
    url,
    port: server.port!,
    setupCode: setupCode && { code: setupCode.code, file: setupCode.file },
    ...(config.webLoginCode ? { webLoginCode: await mintWebCode(web.auth) } : {}),
    fatal,
    async stop() {
      if (stopped) return;
      stopped = true;
      await joined?.stop();
      await telegram.stop();
      core.approvals.stop();
      core.schedules.stop();
      stopCollecting();
      backing.stop();
      turnViews.close();
      // Let the last edits reach Telegram, but never hold shutdown longer than 5 s for them.
      const gave = new AbortController();
      await Promise.race([turnViews.settled(), clock.sleep(5000, gave.signal)]);
      gave.abort();
      hub.closeAll(CloseCode.goingAway, "relay shutting down");
      await frames.finish(); // the closes just queued write each machine's last seen
      web.surface.closeAll(CloseCode.goingAway, "relay shutting down");
      server.stop(true);
      await closeDb();
    },
  };
}

async function mintWebCode(auth: ReturnType<typeof createWeb>["auth"]): Promise<RelayHandle["webLoginCode"]> {
  const minted = await auth.mintCode();
  return minted ? { code: minted.code, name: minted.user.name, expiresAt: minted.expiresAt } : "no_owner";
}

function telegramStartError(cause: unknown): RaError {
  const message = (cause as Error).message ?? String(cause);
  if (/401|Unauthorized/.test(message)) {
    return new RaError("bot_token", "Telegram rejected the bot token (401 Unauthorized)", {
      hint: "copy the token again from @BotFather and pass it with --bot-token or RA_BOT_TOKEN",
      exitCode: ExitCode.config,
    });
  }
  return new RaError("telegram", `cannot reach the Telegram Bot API: ${message}`, {
    hint: "check the network, or --telegram-api-root if you run your own Bot API server",
    exitCode: ExitCode.unavailable,
  });
}

function telegramRunError(cause: unknown): RaError {
  const message = (cause as Error).message ?? String(cause);
  if (/409|Conflict/.test(message)) {
    return new RaError("bot_conflict", "another program is already receiving this bot's updates (409 Conflict)", {
      hint: "stop the other `ra serve` (or any other bot) using this token; a bot token can be polled by one process only",
      exitCode: ExitCode.config,
    });
  }
  return telegramStartError(cause);
}
