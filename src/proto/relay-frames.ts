import { z } from "./zod";
import { Id, PermissionMode, Seq, text } from "./common";
import { ErrorFrame, Ping, Pong } from "./agent-frames";
import { ListRequest } from "./lists";
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from "./limits";
import { PROTOCOL_VERSION } from "./version";

const V = z.literal(PROTOCOL_VERSION);

export const Welcome = z.object({
  v: V,
  type: z.literal("welcome"),
  deviceId: Id,
  name: z.string(),
  serverTime: z.number(),
  /** Highest seq the relay has stored per session: the agent drops those from its outbox. */
  acks: z.array(z.object({ sessionId: Id, seq: Seq })),
  /** How long the relay waits for the owner before it denies; the agent's own fail-safe waits a little longer. */
  approvalTimeoutMs: z.optional(z.int().check(z.positive())),
});

/** Cumulative: every event of the session up to and including `seq` is stored. */
export const Ack = z.object({ v: V, type: z.literal("ack"), sessionId: Id, seq: Seq });

/**
 * A file that came with a prompt (a screenshot, a document). The relay keeps only a reference to
 * it; the agent downloads the bytes with its token from ATTACHMENT_PATH while the turn runs.
 */
export const Attachment = z.object({
  id: Id,
  /** The name to save it under (the agent makes it safe and unique in the inbox). */
  name: z.string().check(z.minLength(1), z.maxLength(255)),
  mime: z.string().check(z.minLength(1), z.maxLength(255)),
  size: z.number().check(z.int(), z.nonnegative(), z.maximum(MAX_ATTACHMENT_BYTES)),
  /** Images go to claude as images; other files as a path to read. */
  kind: z.enum(["image", "file"]),
});
export type Attachment = z.infer<typeof Attachment>;

export const Prompt = z.object({
  v: V,
  type: z.literal("prompt"),
  sessionId: Id,
  turnId: Id,
  text: z.string().check(z.minLength(1), z.maxLength(64 * 1024)),
  /** Claude session to continue when the agent has no live process for this session. */
  resume: z.optional(text(128)),
  mode: z.optional(PermissionMode),
  /** Folder to run in (absolute, or relative to the machine's first root); the agent checks it. */
  cwd: z.optional(text(4096)),
  attachments: z.optional(z.array(Attachment).check(z.maxLength(MAX_ATTACHMENTS))),
  /** /new worktree: claude runs in the session's own git worktree of the folder's repository. */
  worktree: z.optional(z.boolean()),
});

/** /mode: switch the session's permission mode (the agent refuses modes above its own cap). */
export const SessionMode = z.object({ v: V, type: z.literal("session.mode"), sessionId: Id, mode: PermissionMode });

export const Stop = z.object({ v: V, type: z.literal("stop"), sessionId: Id });

/** The owner started a new conversation (/new): the agent ends the old claude process. */
export const CloseSession = z.object({ v: V, type: z.literal("session.close"), sessionId: Id });

/** The owner's decision for one approval request. */
export const ApprovalAnswer = z.object({
  v: V,
  type: z.literal("approval.answer"),
  sessionId: Id,
  requestId: Id,
  decision: z.discriminatedUnion("behavior", [
    // The phone never rewrites what runs: the agent allows claude's own input, adding only the
    // owner's answers to an AskUserQuestion.
    z.object({ behavior: z.literal("allow"), answers: z.optional(z.record(z.string(), z.string())) }),
    z.object({ behavior: z.literal("deny"), message: z.string().check(z.minLength(1), z.maxLength(4096)) }),
  ]),
});

/**
 * /get: send this file of the session's folder to the owner. The agent uploads it to FILE_PATH (or
 * says there why not) with its token; the relay passes it on and keeps nothing.
 */
export const FileRequest = z.object({
  v: V,
  type: z.literal("file.request"),
  requestId: Id,
  sessionId: Id,
  path: z.string().check(z.minLength(1), z.maxLength(4096)),
  /** The session's folder as the relay knows it (absolute, or relative to the machine's first root). */
  cwd: z.optional(text(4096)),
  /** Instead of `path`: the diff the machine kept of this turn's changes. */
  diffOf: z.optional(Id),
});

export const PairCode = z.object({
  v: V,
  type: z.literal("pair.code"),
  /** Typed code, shown as XXXXX-XXXXX. */
  code: z.string(),
  /** https://t.me/<bot>?start=… when the relay knows its bot's username. */
  link: z.optional(z.string()),
  expiresAt: z.number(),
  botUsername: z.optional(z.string()),
});

export const PairDone = z.object({
  v: V,
  type: z.literal("pair.done"),
  deviceId: Id,
  name: z.string(),
  token: z.string(),
});

export const PairRejected = z.object({ v: V, type: z.literal("pair.rejected"), reason: z.string() });

export const RelayFrame = z.discriminatedUnion("type", [
  Welcome,
  Ack,
  Prompt,
  Stop,
  CloseSession,
  SessionMode,
  ApprovalAnswer,
  FileRequest,
  ListRequest,
  Ping,
  Pong,
  ErrorFrame,
  PairCode,
  PairDone,
  PairRejected,
]);
export type RelayFrame = z.infer<typeof RelayFrame>;

export type Welcome = z.infer<typeof Welcome>;
export type Ack = z.infer<typeof Ack>;
export type Prompt = z.infer<typeof Prompt>;
export type SessionMode = z.infer<typeof SessionMode>;
export type Stop = z.infer<typeof Stop>;
export type CloseSession = z.infer<typeof CloseSession>;
export type ApprovalAnswer = z.infer<typeof ApprovalAnswer>;
export type PairCode = z.infer<typeof PairCode>;
export type PairDone = z.infer<typeof PairDone>;
export type PairRejected = z.infer<typeof PairRejected>;
