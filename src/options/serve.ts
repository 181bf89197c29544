/**
 * Every option of `ra serve`, once. To add one, add an entry here: the flag, the help, the
 * variable, `ra service install` and the parsed values (and so RelayConfig) follow from it.
 */
import { isIP } from "../is-ip";
import { z } from "../proto/zod";
import { dataDir } from "../paths";
import { defineOptions, type Values } from "./define";
import { logOptions } from "./log";
import { onOff, text, url, whole } from "./types";

const BOT_TOKEN = /^\d+:[A-Za-z0-9_-]+$/;

/** HOST:PORT, IPv6 hosts in brackets; an empty host listens everywhere. */
const listen = z
  .pipe(
    z.string().check(z.trim(), z.regex(/^(.*):(\d{1,5})$/, "takes HOST:PORT")),
    z.transform((v: string) => {
      const [, host, port] = v.match(/^(.*):(\d+)$/)!;
      return { host: host!.replace(/^\[|\]$/g, "") || "0.0.0.0", port: Number(port) };
    }),
  )
  .check(z.refine((l) => l.port <= 65535, "takes a port from 0 to 65535"));

export const serveOptions = defineOptions({
  "bot-token": {
    key: "botToken",
    kind: "string",
    env: "RA_BOT_TOKEN",
    type: z.string().check(z.trim(), z.regex(BOT_TOKEN, "is not a Telegram bot token")),
    help: "Telegram bot token from @BotFather",
    valueHint: "token",
    hint: "a token looks like 123456789:AA… (from @BotFather)",
    secret: true,
    service: { computed: "given, else asked for in a terminal; it goes to the service's 0600 env file (left out when ra serve will read the one saved in its data dir)" },
    example: "123456:AA-example",
  },
  "data-dir": {
    key: "dataDir",
    kind: "string",
    env: "RA_DATA_DIR",
    type: text("a folder"),
    default: (env) => dataDir(env),
    shownDefault: "~/.local/share/ra",
    help: "Where the database and secrets live",
    valueHint: "dir",
    service: { computed: "always set, made absolute (the default is the service user's); it is the one folder the unit may write to" },
    example: "/var/lib/ra",
  },
  listen: {
    key: "listen",
    kind: "string",
    env: "RA_LISTEN",
    type: listen,
    default: "0.0.0.0:8080",
    help: "Address for agents and health checks",
    valueHint: "host:port",
    hint: "for example 0.0.0.0:8080 or 127.0.0.1:8080",
    service: "pass",
    example: "127.0.0.1:8099",
  },
  "public-url": {
    key: "publicUrl",
    kind: "string",
    env: "RA_PUBLIC_URL",
    type: url("https://relay.example.com"),
    help: "The URL agents use to reach this relay, e.g. https://relay.example.com",
    valueHint: "url",
    service: "pass",
    example: "https://relay.example.com",
  },
  "trust-proxy": {
    key: "trustProxy",
    kind: "list",
    env: "RA_TRUST_PROXY",
    type: z.array(z.string().check(z.trim(), z.refine((a) => isIP(a) !== 0, "takes IP addresses of your reverse proxies, like 127.0.0.1"))),
    default: () => [],
    shownDefault: "none: the peer's address is the client's",
    help: "Reverse proxy whose X-Forwarded-For is believed (the client address then comes from it, for rate limits and the pairing card); e.g. 127.0.0.1 behind Caddy on the same machine",
    valueHint: "ip",
    service: "pass",
    example: ["127.0.0.1", "::1"],
  },
  owner: {
    key: "owners",
    kind: "list",
    env: "RA_OWNERS",
    type: z.array(
      z
        .pipe(z.string().check(z.regex(/^\d+$/, "takes Telegram user ids")), z.transform(Number))
        .check(z.refine((n) => Number.isSafeInteger(n) && n > 0, "takes Telegram user ids")),
    ),
    help: "Telegram user id allowed to use the bot",
    valueHint: "id",
    hint: "user ids are numbers; message @userinfobot to see yours",
    service: "pass",
    example: ["5", "6"],
  },
  "tls-cert": {
    key: "tlsCert",
    kind: "string",
    env: "RA_TLS_CERT",
    type: text("a PEM file"),
    help: "PEM certificate (chain) to serve https/wss directly",
    valueHint: "file",
    service: "path",
    example: "cert.pem",
  },
  "tls-key": {
    key: "tlsKey",
    kind: "string",
    env: "RA_TLS_KEY",
    type: text("a PEM file"),
    help: "PEM private key for --tls-cert",
    valueHint: "file",
    service: "path",
    example: "key.pem",
  },
  webhook: {
    key: "webhook",
    kind: "boolean",
    env: "RA_WEBHOOK",
    type: onOff(),
    help: "Receive updates by webhook at --public-url instead of polling",
    service: "pass",
    example: true,
  },
  "telegram-api-root": {
    key: "telegramApiRoot",
    kind: "string",
    env: "RA_TELEGRAM_API_ROOT",
    type: url("http://127.0.0.1:8081"),
    help: "Bot API server, for a self-hosted one",
    valueHint: "url",
    service: "pass",
    example: "http://127.0.0.1:8081",
  },
  "edit-interval-ms": {
    key: "editIntervalMs",
    kind: "string",
    env: "RA_EDIT_INTERVAL_MS",
    type: whole({ min: 0 }, "milliseconds"),
    default: "1200",
    help: "Minimum gap between two edits in a row to one chat (a streaming answer); other calls wait Telegram's one a second, or this when shorter",
    valueHint: "ms",
    service: "pass",
    example: "1500",
  },
  "poll-timeout": {
    key: "pollTimeoutSeconds",
    kind: "string",
    env: "RA_POLL_TIMEOUT",
    type: whole({ min: 0, max: 50 }, "seconds"),
    default: "30",
    help: "Long-polling timeout in seconds",
    valueHint: "s",
    service: "pass",
    example: "20",
  },
  "approval-timeout": {
    key: "approvalTimeoutMs",
    kind: "string",
    env: "RA_APPROVAL_TIMEOUT",
    type: z.pipe(whole({ min: 1 }, "seconds"), z.transform((s: number) => s * 1000)),
    default: "600",
    help: "Seconds an approval card waits before it is denied",
    valueHint: "s",
    service: "pass",
    example: "120",
  },
  "max-messages": {
    key: "maxMessages",
    kind: "string",
    env: "RA_MAX_MESSAGES",
    type: whole({ min: 1, max: 50 }),
    default: "3",
    help: "Messages one answer may fill before the rest streams as a live tail and the whole comes as a .md file",
    valueHint: "n",
    service: "pass",
    example: "10",
  },
  "silence-notice": {
    key: "silenceNoticeMs",
    kind: "string",
    env: "RA_SILENCE_NOTICE",
    type: z.pipe(whole({ min: 1 }, "seconds"), z.transform((s: number) => s * 1000)),
    default: "300",
    help: "Seconds a running turn may stay silent before you are asked whether it still works",
    valueHint: "s",
    service: "pass",
    example: "90",
  },
  drafts: {
    key: "drafts",
    kind: "boolean",
    env: "RA_DRAFTS",
    type: onOff(),
    help: "Stream answers in private chats as native Telegram drafts with a Stop button; edits stay the fallback",
    service: "pass",
    example: true,
  },
  database: {
    key: "databaseUrl",
    kind: "string",
    env: "RA_DATABASE_URL",
    type: z.string().check(z.trim(), z.regex(/^postgres(ql)?:\/\/\S+$/, "takes a postgres:// URL")),
    help: "Keep the relay's state in Postgres (postgres://user:password@host:5432/db) instead of the sqlite file in the data dir",
    valueHint: "url",
    hint: "for example postgres://ra:secret@127.0.0.1:5432/ra",
    secret: true,
    service: "pass",
    example: "postgres://ra:example@127.0.0.1:5432/ra",
  },
  redis: {
    key: "redisUrl",
    kind: "string",
    env: "RA_REDIS_URL",
    type: z.string().check(z.trim(), z.regex(/^rediss?:\/\/\S+$/, "takes a redis:// URL")),
    help: "Share what several relays on one --database must share through Redis (redis://:password@host:6379): today the pairing lockouts and sign-in limits",
    valueHint: "url",
    hint: "for example redis://:secret@127.0.0.1:6379",
    secret: true,
    service: "pass",
    example: "redis://:example@127.0.0.1:6379",
  },
  "web-login-code": {
    key: "webLoginCode",
    kind: "boolean",
    env: "RA_WEB_LOGIN_CODE",
    type: onOff(),
    help: "Print a one-time code (15 minutes) that signs the first owner in to the web app without Telegram",
    service: { excluded: "a code is for one person at one terminal; a service would print a fresh one into its log at every start" },
    example: true,
  },
  ...logOptions,
});

export type ServeValues = Values<typeof serveOptions>;

/** Checks a bot token that did not come from a flag or variable (saved, asked for). */
export const isBotToken = (token: string) => BOT_TOKEN.test(token);
