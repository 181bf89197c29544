import { z } from "./zod";
import { Id, text } from "./common";
import { MAX_TEXT_EVENT_CHARS, MAX_TURN_FILES } from "./limits";

const count = () => z.int().check(z.nonnegative());

/**
 * What happens inside one session on the agent, in order. The agent numbers these per session
 * (`seq` on the `event` frame) and keeps them until the relay acknowledges them, so a dropped
 * link replays them and the relay drops duplicates: the owner sees every event exactly once.
 */
export const TurnStarted = z.object({ kind: z.literal("turn.started"), turnId: Id });

export const ClaudeInit = z.object({
  kind: z.literal("init"),
  turnId: Id,
  claudeSessionId: text(128),
  model: z.optional(text(128)),
  cwd: z.optional(text(4096)),
});

/** An increment of assistant text (not cumulative); a larger piece is refused, never shown. */
export const TextDelta = z.object({
  kind: z.literal("text"),
  turnId: Id,
  text: z.string().check(
    z.maxLength(MAX_TEXT_EVENT_CHARS, {
      error: `text event longer than ${MAX_TEXT_EVENT_CHARS} characters; it was refused (an agent splits text into smaller pieces: update ra on the machine)`,
    }),
  ),
});

export const ToolUse = z.object({
  kind: z.literal("tool"),
  turnId: Id,
  toolUseId: text(128),
  name: text(256),
  /** One human line describing what the tool does ("npm test", "src/app.ts"). */
  summary: text(1024),
  /** Lines a file edit adds and removes (Edit, MultiEdit, Write), for "✎ Edit src/app.ts +12 −3". */
  added: z.optional(count()),
  removed: z.optional(count()),
});

export const ToolResult = z.object({
  kind: z.literal("tool.result"),
  turnId: Id,
  toolUseId: text(128),
  isError: z.boolean(),
  /** The start of the tool's output, truncated by the agent. */
  output: text(4096),
});

export const TurnEnded = z.object({
  kind: z.literal("turn.ended"),
  turnId: Id,
  /** done: claude finished; stopped: interrupted by /stop; failed: claude or the API failed. */
  status: z.enum(["done", "stopped", "failed"]),
  durationMs: z.number().check(z.nonnegative()),
  costUsd: z.optional(z.number().check(z.nonnegative())),
  turns: z.optional(count()),
  claudeSessionId: z.optional(text(128)),
  error: z.optional(text(4096)),
  /** Files claude wrote or edited in the turn (relative to the session's folder), newest last: offered for download. */
  files: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(1024))).check(z.maxLength(MAX_TURN_FILES))),
  /** The machine kept the turn's changes as one diff, to send on request (FileRequest.diffOf). */
  diff: z.optional(z.boolean()),
});

/** Something the owner should read that is not part of claude's answer (crash, resume, refusal). */
export const SessionNotice = z.object({
  kind: z.literal("notice"),
  level: z.enum(["info", "warn", "error"]),
  text: text(4096),
  turnId: z.optional(Id),
});

/**
 * Claude asks before running a tool. The agent holds claude's request open until the relay sends
 * an `approval.answer` for `requestId`, or denies it itself on any fault (link lost, timeout).
 */
export const ApprovalRequest = z.object({
  kind: z.literal("approval.request"),
  turnId: Id,
  requestId: Id,
  toolName: text(256),
  /** The tool's input exactly as claude will run it (the card shows it; the digest is audited). */
  input: z.record(z.string(), z.unknown()),
  description: z.optional(text(4096)),
});

/** The request ended without an answer from the relay: cancelled by claude, or denied by the agent. */
export const ApprovalClosed = z.object({
  kind: z.literal("approval.closed"),
  turnId: Id,
  requestId: Id,
  outcome: z.enum(["cancelled", "denied_disconnected", "denied_timeout", "denied_session_ended"]),
});

export const SessionEvent = z.discriminatedUnion("kind", [
  ApprovalRequest,
  ApprovalClosed,
  TurnStarted,
  ClaudeInit,
  TextDelta,
  ToolUse,
  ToolResult,
  TurnEnded,
  SessionNotice,
]);
export type SessionEvent = z.infer<typeof SessionEvent>;

export type TurnStarted = z.infer<typeof TurnStarted>;
export type ClaudeInit = z.infer<typeof ClaudeInit>;
export type TextDelta = z.infer<typeof TextDelta>;
export type ToolUse = z.infer<typeof ToolUse>;
export type ToolResult = z.infer<typeof ToolResult>;
export type TurnEnded = z.infer<typeof TurnEnded>;
export type SessionNotice = z.infer<typeof SessionNotice>;
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;
export type ApprovalClosed = z.infer<typeof ApprovalClosed>;
