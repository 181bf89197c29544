import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { ExitCode, RaError } from "../errors";
import { createLog } from "../log";
import { dataDir as defaultDataDir } from "../paths";
import { RelayConfig } from "../relay/config";
import { startRelay } from "../relay";
import { webhookUrl } from "../relay/webhook-url";
import { canPrompt, guard, list, logArgs, repeated, setupLogging, untilSignal, usage } from "./_shared";

export default defineCommand({
  meta: { name: "serve", description: "Run the relay: the Telegram bot and the hub your machines connect to (on a small server)" },
  args: {
    "bot-token": { type: "string", description: "Telegram bot token from @BotFather (env RA_BOT_TOKEN)", valueHint: "token" },
    "data-dir": { type: "string", description: "Where the database and secrets live (env RA_DATA_DIR, default ~/.local/share/ra)", valueHint: "dir" },
    listen: { type: "string", description: "Address for agents and health checks (env RA_LISTEN, default 0.0.0.0:8080)", valueHint: "host:port" },
    "public-url": { type: "string", description: "The URL agents use to reach this relay, e.g. https://relay.example.com (env RA_PUBLIC_URL)", valueHint: "url" },
    owner: { type: "string", description: "Telegram user id allowed to use the bot; repeatable (env RA_OWNERS, comma-separated)", valueHint: "id" },
    "tls-cert": { type: "string", description: "PEM certificate (chain) to serve https/wss directly (env RA_TLS_CERT)", valueHint: "file" },
    "tls-key": { type: "string", description: "PEM private key for --tls-cert (env RA_TLS_KEY)", valueHint: "file" },
    webhook: { type: "boolean", description: "Receive updates by webhook at --public-url instead of polling (env RA_WEBHOOK=1)" },
    "telegram-api-root": { type: "string", description: "Bot API server, for a self-hosted one (env RA_TELEGRAM_API_ROOT)", valueHint: "url" },
    "edit-interval-ms": { type: "string", description: "Minimum gap between messages/edits to one chat (default 1200)", valueHint: "ms" },
    "poll-timeout": { type: "string", description: "Long-polling timeout in seconds (default 30)", valueHint: "s" },
    "approval-timeout": { type: "string", description: "Seconds an approval card waits before it is denied (env RA_APPROVAL_TIMEOUT, default 600)", valueHint: "s" },
    "max-messages": { type: "string", description: "Messages one answer may fill before the rest streams as a live tail and the whole comes as a .md file (env RA_MAX_MESSAGES, default 3)", valueHint: "n" },
    "silence-notice": { type: "string", description: "Seconds a running turn may stay silent before you are asked whether it still works (env RA_SILENCE_NOTICE, default 300)", valueHint: "s" },
    drafts: { type: "boolean", description: "Stream answers in private chats as native Telegram drafts with a Stop button; edits stay the fallback (env RA_DRAFTS=1)" },
    ...logArgs,
  },
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const env = process.env;
      setupLogging(args);
      const log = createLog("serve");
      const dataDir = args["data-dir"] ?? env.RA_DATA_DIR ?? defaultDataDir();
      const [host, port] = parseListen(args.listen ?? env.RA_LISTEN ?? "0.0.0.0:8080");
      const botToken = await resolveBotToken(args["bot-token"] ?? env.RA_BOT_TOKEN, dataDir);
      const owners = list(args.owner ? repeated(rawArgs, "owner") : env.RA_OWNERS).map((id) => {
        const n = Number(id);
        if (!Number.isSafeInteger(n) || n <= 0) throw usage(`--owner "${id}" is not a Telegram user id`, "user ids are numbers; message @userinfobot to see yours");
        return n;
      });
      const publicUrl = args["public-url"] ?? env.RA_PUBLIC_URL;
      const telegramApiRoot = args["telegram-api-root"] ?? env.RA_TELEGRAM_API_ROOT;
      const hook = (args.webhook ?? env.RA_WEBHOOK === "1") ? webhookUrl(publicUrl, Boolean(telegramApiRoot)) : undefined;
      if (hook && !hook.ok) throw usage(hook.message, hook.hint);
      const tls = readTls(args["tls-cert"] ?? env.RA_TLS_CERT, args["tls-key"] ?? env.RA_TLS_KEY);
      const parsed = RelayConfig.safeParse({
        tls,
        botToken,
        dataDir,
        host,
        port,
        publicUrl,
        telegramApiRoot,
        webhookUrl: hook?.url,
        owners,
        editIntervalMs: Number(args["edit-interval-ms"] ?? env.RA_EDIT_INTERVAL_MS ?? 1200),
        pollTimeoutSeconds: Number(args["poll-timeout"] ?? 30),
        approvalTimeoutMs: Number(args["approval-timeout"] ?? env.RA_APPROVAL_TIMEOUT ?? 600) * 1000,
        maxMessages: Number(args["max-messages"] ?? env.RA_MAX_MESSAGES ?? 3),
        drafts: args.drafts === true || ["1", "true", "yes"].includes((env.RA_DRAFTS ?? "").toLowerCase()),
        silenceNoticeMs: Number(args["silence-notice"] ?? env.RA_SILENCE_NOTICE ?? 300) * 1000,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw usage(`invalid ${String(issue.path[0] ?? "option")}: ${issue.message}`);
      }
      const relay = await startRelay(parsed.data);
      if (relay.setupCode) {
        process.stdout.write(
          `\nThis relay has no owner yet. In Telegram, send this to your bot within 60 minutes:\n\n    /start ${relay.setupCode.code}\n\n(also saved in ${relay.setupCode.file}; it works once)\n\n`,
        );
      }
      log.info(`agents connect to ${parsed.data.publicUrl ?? relay.url}`);
      const outcome = await Promise.race([untilSignal(), relay.fatal]);
      log.info(`${outcome}: shutting down`);
      await relay.stop();
    }),
});

function readTls(certFile: string | undefined, keyFile: string | undefined): { cert: string; key: string } | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw usage("--tls-cert and --tls-key go together", "pass both the PEM certificate and its private key, or neither (e.g. behind Caddy)");
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch (cause) {
      throw new RaError("tls_file", `cannot read --${flag} ${file}: ${(cause as Error).message}`, { hint: "check the path and that the user running ra serve may read it", exitCode: ExitCode.config });
    }
  };
  return { cert: read("tls-cert", certFile), key: read("tls-key", keyFile) };
}

function parseListen(value: string): [string, number] {
  const match = value.match(/^(.*):(\d+)$/);
  if (!match) throw usage(`--listen "${value}" is not HOST:PORT`, "for example 0.0.0.0:8080 or 127.0.0.1:8080");
  return [match[1]!.replace(/^\[|\]$/g, "") || "0.0.0.0", Number(match[2])];
}

/** Flag or env first; then the token saved by an earlier interactive start; then ask (TTY only). */
async function resolveBotToken(given: string | undefined, dataDir: string): Promise<string> {
  if (given) return given.trim();
  const saved = join(dataDir, "bot-token");
  if (existsSync(saved)) return readFileSync(saved, "utf8").trim();
  if (!canPrompt()) {
    throw new RaError("bot_token_missing", "no Telegram bot token given", {
      hint: "pass --bot-token 123456:ABC… or set RA_BOT_TOKEN (create a bot with @BotFather)",
      exitCode: ExitCode.config,
    });
  }
  const p = await import("@clack/prompts"); // only a first start at a terminal asks
  p.intro("ra serve — first start");
  const token = await p.password({
    message: "Telegram bot token (from @BotFather)",
    validate: (v) => (/^\d+:[A-Za-z0-9_-]+$/.test(v ?? "") ? undefined : "a token looks like 123456789:AA…"),
  });
  if (p.isCancel(token)) throw new RaError("cancelled", "cancelled", { exitCode: ExitCode.interrupted });
  const save = await p.confirm({ message: `Save it (mode 0600) in ${saved} for next time?` });
  if (save === true) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(saved, `${token}\n`, { mode: 0o600 });
    p.outro(`Saved. Next time just run: ra serve`);
  }
  return token;
}
