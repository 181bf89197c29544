import type { Attachment, PermissionMode } from "../../proto";

// Conversations and their turns as plain rows (re-exported by types.ts).

export type Session = {
  id: string;
  deviceId: string;
  chatId: number;
  claudeSessionId: string | null;
  cwd: string | null;
  mode: PermissionMode;
  lastSeq: number;
  /** Its number among the chat's sessions with the device: its short label (#2). */
  number: number;
  /** What its turns cost so far. */
  costUsd: number;
  /** Runs in its own git worktree (/new worktree). */
  worktree: boolean;
  /** Its own topic in the chat, or null. */
  threadId: number | null;
  createdAt: number;
  closedAt: number | null;
};

/** A session as /sessions lists it. */
export type SessionSummary = Session & {
  /** Its first prompt (null before any). */
  firstPrompt: string | null;
  /** Its last turn's start or end, or when it was opened. */
  lastActiveAt: number;
  /** A pending approval wins over running. */
  state: "running" | "approval" | "idle";
};

export type TurnStatus = "queued" | "running" | "done" | "stopped" | "failed";
export type Turn = {
  id: string;
  sessionId: string;
  chatId: number;
  prompt: string;
  status: TurnStatus;
  /** Answers of turns stored before answers went into pieces (read with Store.turnText). */
  text: string;
  /** A surface's own record of where the turn is shown (Telegram: message ids, JSON). */
  messageIds: string;
  /** The tool activity shown with the turn (JSON), kept so a restarted relay shows it again. */
  tools: string;
  /** Files that came with the prompt (JSON array of StoredAttachment). */
  attachments: string;
  /** Files the turn changed on the machine (JSON array of paths relative to its folder). */
  files: string;
  /** A person in the chat asked, or a schedule did (unattended). */
  origin: "chat" | "schedule";
  createdAt: number;
  endedAt: number | null;
};

/**
 * A file that came with a prompt, as the relay keeps it: what the agent is told (proto Attachment)
 * plus `source`, where the surface that received it can fetch it again ("telegram:<file_id>").
 * The bytes are never stored on the relay.
 */
export type StoredAttachment = Attachment & { source: string };
