// The same tables as ../schema.ts (bun:sqlite) for Postgres, column for column: a test keeps the two
// in step. Telegram ids and millisecond times outgrow 32 bits, so every integer is a bigint (read as a number).
import { bigint, bigserial, boolean, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";

const integer = (name: string) => bigint(name, { mode: "number" });

export { selectedSessions, sessions, turns, turnText } from "./schema-conversations";

/** Telegram users allowed to use the bot. */
export const users = pgTable("users", {
  telegramId: integer("telegram_id").primaryKey(),
  role: text("role", { enum: ["owner", "user"] }).notNull(),
  name: text("name").notNull().default(""),
  createdAt: integer("created_at").notNull(),
});

/** Paired machines. Only the SHA-256 of the device token is stored. */
export const devices = pgTable(
  "devices",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    ownerId: integer("owner_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    hostname: text("hostname").notNull().default(""),
    os: text("os").notNull().default(""),
    arch: text("arch").notNull().default(""),
    osUser: text("os_user").notNull().default(""),
    agentVersion: text("agent_version").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at"),
  },
  (t) => [uniqueIndex("devices_token_hash").on(t.tokenHash), uniqueIndex("devices_owner_name").on(t.ownerId, t.name)],
);

/** Per-chat state: which device a plain prompt goes to. */
export const chats = pgTable("chats", {
  chatId: integer("chat_id").primaryKey(),
  selectedDeviceId: text("selected_device_id"),
});

/** A prompt that runs at set times on a machine: /every weekday 9:00 …, /at 18:00 …. */
export const schedules = pgTable(
  "schedules",
  {
    id: text("id").primaryKey(),
    chatId: integer("chat_id").notNull(),
    deviceId: text("device_id").notNull(),
    userId: integer("user_id").notNull(),
    prompt: text("prompt").notNull(),
    /** When it runs (JSON ScheduleWhen), in `timeZone`. */
    when: text("when").notNull(),
    timeZone: text("time_zone").notNull(),
    /** The folder it runs in (the session's at the time it was made). */
    cwd: text("cwd"),
    /** The machine was offline at the time: run it when it is back, or skip that time. */
    missed: text("missed", { enum: ["run", "skip"] }).notNull().default("run"),
    nextAt: integer("next_at").notNull(),
    lastRunAt: integer("last_run_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("schedules_next").on(t.nextAt)],
);

/** Small settings and secrets: setup code hash, Telegram update offset, signing keys. */
export const kv = pgTable("kv", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** One permission question from claude, shown as a card; decided at most once. */
export const approvals = pgTable(
  "approvals",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id").notNull(),
    sessionId: text("session_id").notNull(),
    turnId: text("turn_id").notNull(),
    deviceId: text("device_id").notNull(),
    chatId: integer("chat_id").notNull(),
    toolName: text("tool_name").notNull(),
    inputDigest: text("input_digest").notNull(),
    input: text("input").notNull(),
    description: text("description"),
    status: text("status", { enum: ["pending", "allowed", "denied", "expired", "cancelled"] }).notNull(),
    /** The owner tapped "Deny with reason": their next message in the chat is the reason. */
    awaitingReason: boolean("awaiting_reason").notNull().default(false),
    messageId: integer("message_id"),
    createdAt: integer("created_at").notNull(),
    decidedAt: integer("decided_at"),
  },
  (t) => [uniqueIndex("approvals_request").on(t.sessionId, t.requestId), index("approvals_status").on(t.status)],
);

/** Append-only record of every decision, kept across restarts (/audit). */
export const audit = pgTable("audit", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  at: integer("at").notNull(),
  userId: integer("user_id"),
  deviceId: text("device_id").notNull(),
  sessionId: text("session_id").notNull(),
  toolName: text("tool_name").notNull(),
  inputDigest: text("input_digest").notNull(),
  answer: text("answer").notNull(),
  latencyMs: integer("latency_ms").notNull(),
  approvalId: text("approval_id").notNull(),
});

/**
 * Every Telegram update as received, before it is handled: a relay that dies mid-update handles it
 * after the restart, and one Telegram delivers twice is handled once (update_id is the key).
 */
export const telegramUpdates = pgTable("telegram_updates", {
  updateId: integer("update_id").primaryKey(),
  body: text("body").notNull(),
  receivedAt: integer("received_at").notNull(),
  handledAt: integer("handled_at"),
});

/**
 * An owner's /invite: a one-time link for a second person. Only the SHA-256 of its secret is kept;
 * the invitee's claim waits for an owner's confirmation before they become a user.
 */
export const invites = pgTable(
  "invites",
  {
    id: text("id").primaryKey(),
    secretHash: text("secret_hash").notNull(),
    invitedBy: integer("invited_by").notNull(),
    status: text("status", { enum: ["open", "claimed", "accepted", "refused"] }).notNull(),
    claimedBy: integer("claimed_by"),
    claimedName: text("claimed_name"),
    /** The owner's message holding the link: edited once the link is used, so the secret leaves the chat. */
    messageId: integer("message_id"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [uniqueIndex("invites_secret").on(t.secretHash)],
);

/** Group chats an owner enabled with /allowgroup; the bot leaves every other group. */
export const allowedGroups = pgTable("allowed_groups", {
  chatId: integer("chat_id").primaryKey(),
  title: text("title").notNull().default(""),
  enabledBy: integer("enabled_by").notNull(),
  enabledAt: integer("enabled_at").notNull(),
});

/** With topics on in a private chat, each device has its own topic there: the thread id routes both ways. */
export const deviceTopics = pgTable(
  "device_topics",
  {
    chatId: integer("chat_id").notNull(),
    deviceId: text("device_id").notNull(),
    threadId: integer("thread_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("device_topics_chat_device").on(t.chatId, t.deviceId), uniqueIndex("device_topics_chat_thread").on(t.chatId, t.threadId)],
);

/**
 * A way into the web app: a /web link (5 minutes) or a `ra serve --web-login-code` code, single
 * use. Only the SHA-256 of the secret is kept; `usedAt` is set by the one request that consumes it.
 */
export const webLogins = pgTable(
  "web_logins",
  {
    id: text("id").primaryKey(),
    secretHash: text("secret_hash").notNull(),
    userId: integer("user_id").notNull(),
    kind: text("kind", { enum: ["link", "code"] }).notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [uniqueIndex("web_logins_secret").on(t.secretHash)],
);

/**
 * A signed-in browser. The cookie's signed token names the session by a secret whose SHA-256 is
 * `secretHash`; `id` is the public handle (the Revoke button). Revoked or idle rows stop working at once.
 */
export const webSessions = pgTable(
  "web_sessions",
  {
    id: text("id").primaryKey(),
    secretHash: text("secret_hash").notNull(),
    userId: integer("user_id").notNull(),
    /** Browser and address at sign-in, so the person can tell sessions apart in /web. */
    userAgent: text("user_agent").notNull().default(""),
    ip: text("ip").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("web_sessions_secret").on(t.secretHash), index("web_sessions_user").on(t.userId)],
);
