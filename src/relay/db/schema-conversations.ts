import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

// The conversations' tables (re-exported by schema.ts, which drizzle-kit reads).

/** One conversation between a chat and a device (one claude session); a chat may keep several per device (/new, /sessions). */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    deviceId: text("device_id").notNull(),
    chatId: integer("chat_id").notNull(),
    claudeSessionId: text("claude_session_id"),
    /** Folder chosen with /cd (checked by the agent against its roots); null = the machine's default. */
    cwd: text("cwd"),
    mode: text("mode", { enum: ["default", "acceptEdits", "plan", "bypassPermissions"] }).notNull().default("default"),
    /** Highest event seq stored from the agent; -1 before the first. */
    lastSeq: integer("last_seq").notNull().default(-1),
    /** Its number among the chat's sessions with the device (#1, #2, …), its short label. */
    number: integer("number").notNull().default(0),
    /** What its turns cost so far (the sum of each turn's cost). */
    costUsd: real("cost_usd").notNull().default(0),
    /** Runs in its own git worktree of the folder's repository (/new worktree), removed when it closes. */
    worktree: integer("worktree", { mode: "boolean" }).notNull().default(false),
    /** Its own topic in the chat (topics enabled), where its prompts and output go; null = the device's topic or the main chat. */
    threadId: integer("thread_id"),
    createdAt: integer("created_at").notNull(),
    closedAt: integer("closed_at"),
  },
  (t) => [index("sessions_chat_device").on(t.chatId, t.deviceId), index("sessions_device").on(t.deviceId, t.closedAt), index("sessions_chat_thread").on(t.chatId, t.threadId)],
);

/** Which of a chat's open sessions with a device plain prompts go to (/new and /sessions change it). */
export const selectedSessions = sqliteTable(
  "selected_sessions",
  {
    chatId: integer("chat_id").notNull(),
    deviceId: text("device_id").notNull(),
    sessionId: text("session_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.deviceId] })],
);

/** One prompt and its answer. `text` accumulates the answer so a relay restart can re-render it. */
export const turns = sqliteTable(
  "turns",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull(),
    chatId: integer("chat_id").notNull(),
    prompt: text("prompt").notNull(),
    status: text("status", { enum: ["queued", "running", "done", "stopped", "failed"] }).notNull(),
    text: text("text").notNull().default(""),
    /** Telegram message ids showing this turn, in order (JSON array). */
    messageIds: text("message_ids").notNull().default("[]"),
    /** The turn's tool calls with their outcome, shown as its status section (JSON array of ToolActivity). */
    tools: text("tools").notNull().default("[]"),
    /** Files that came with the prompt (JSON array of StoredAttachment): references, never the bytes. */
    attachments: text("attachments").notNull().default("[]"),
    /** Files the turn changed on the machine (JSON array of paths relative to its folder), offered for download. */
    files: text("files").notNull().default("[]"),
    /** Who asked: a person in the chat, or a schedule (unattended: its end sends a digest). */
    origin: text("origin", { enum: ["chat", "schedule"] }).notNull().default("chat"),
    createdAt: integer("created_at").notNull(),
    endedAt: integer("ended_at"),
  },
  (t) => [index("turns_session").on(t.sessionId, t.createdAt), index("turns_session_status").on(t.sessionId, t.status, t.createdAt)],
);

/** A turn's answer as it streamed in, one row per piece: appending never rewrites what is stored. */
export const turnText = sqliteTable(
  "turn_text",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    turnId: text("turn_id").notNull(),
    text: text("text").notNull(),
  },
  (t) => [index("turn_text_turn").on(t.turnId)],
);
