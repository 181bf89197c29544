/**
 * The browser's WebSocket (`/app/ws`): what the relay sends the web app and what the app may ask.
 * The relay first sends a `snapshot`, then live events, each with the next `seq` of this user's
 * stream. The browser sends commands; each carries a `ref` that the relay's `result` echoes.
 * The browser imports only the types (no zod in the shipped JS); the relay checks every command.
 */
import { z } from "./zod";
import { Id, PermissionMode } from "./common";

export const WEB_PROMPT_MAX_CHARS = 64 * 1024;
/** Deny with reason: what claude reads (as much as Telegram passes on). */
export const WEB_REASON_MAX_CHARS = 4000;

export const DeviceState = z.enum(["online", "busy", "offline"]);

export const WebDevice = z.object({
  id: Id,
  name: z.string(),
  /** "name (owner)" for an owner looking at another person's machine; else the name. */
  label: z.string(),
  state: DeviceState,
  hostname: z.string(),
  lastSeenAt: z.nullable(z.number()),
  /** This person's conversation with it: permission mode and folder (null: the machine's default). */
  mode: PermissionMode,
  cwd: z.nullable(z.string()),
  /** The highest mode the machine accepts (ra agent --max-mode), as it said when it connected. */
  maxMode: PermissionMode,
});

export const WebTool = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string(),
  added: z.optional(z.number()),
  removed: z.optional(z.number()),
  output: z.optional(z.string()),
  isError: z.optional(z.boolean()),
});

export const WebTurnStatus = z.enum(["queued", "running", "done", "stopped", "failed"]);

export const WebTurn = z.object({
  id: Id,
  deviceId: Id,
  /** The conversation it belongs to: a turn of a newer one means the older turns are history. */
  sessionId: Id,
  prompt: z.string(),
  status: WebTurnStatus,
  text: z.string(),
  /** While it runs: the unfinished last word (see the `text` event). */
  tail: z.optional(z.string()),
  tools: z.array(WebTool),
  createdAt: z.number(),
  endedAt: z.nullable(z.number()),
  /** Why it waits ("laptop is offline; …"), while it is queued. */
  waiting: z.optional(z.string()),
  /** The end line's facts: duration, cost, the error when it failed. */
  durationMs: z.optional(z.number()),
  costUsd: z.optional(z.number()),
  error: z.optional(z.string()),
});

/** A file change a tool asks to make: the text before and after (Write: nothing before). */
export const WebEdit = z.object({ path: z.string(), before: z.string(), after: z.string() });

/** AskUserQuestion's first question; the buttons answer it with one option. */
export const WebQuestion = z.object({
  header: z.optional(z.string()),
  question: z.string(),
  options: z.array(z.object({ label: z.string(), description: z.optional(z.string()) })),
  multiSelect: z.optional(z.boolean()),
  /** Further questions the buttons do not answer. */
  more: z.optional(z.number().check(z.int())),
});

/** An approval card: the tool, its input, and what its buttons can say (as in Telegram). */
export const WebApproval = z.object({
  id: Id,
  turnId: Id,
  deviceId: Id,
  toolName: z.string(),
  /** "plan" (ExitPlanMode), "question" (AskUserQuestion), "edit" (a file change), else "tool". */
  kind: z.enum(["tool", "edit", "plan", "question"]),
  /** The tool's input as pretty JSON (truncated), shown as text, never as markup. */
  input: z.string(),
  description: z.nullable(z.string()),
  always: z.optional(z.object({ narrow: z.string(), wide: z.optional(z.string()) })),
  edits: z.optional(z.array(WebEdit)),
  /** The plan, in Markdown (rendered like an answer). */
  plan: z.optional(z.string()),
  question: z.optional(WebQuestion),
  createdAt: z.number(),
});

export const WebSnapshot = z.object({
  type: z.literal("snapshot"),
  /** This relay process's stream: a reconnect may resume by seq only within the same epoch. */
  epoch: z.string(),
  seq: z.number().check(z.int()),
  user: z.object({ id: z.number(), name: z.string(), role: z.enum(["owner", "user"]) }),
  devices: z.array(WebDevice),
  /** The machine plain prompts go to (the same selection as in Telegram). */
  selected: z.nullable(Id),
  /** The open conversation's turns per visible machine, oldest first. */
  turns: z.array(WebTurn),
  approvals: z.array(WebApproval),
});

/** Live events, in order, after the snapshot. */
export const WebEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("device"), seq: z.number(), device: WebDevice }),
  z.object({ type: z.literal("device.removed"), seq: z.number(), deviceId: Id }),
  z.object({ type: z.literal("selected"), seq: z.number(), deviceId: z.nullable(Id) }),
  /** A turn was created or changed status (the text and tools stay as the browser has them). */
  z.object({ type: z.literal("turn"), seq: z.number(), turn: WebTurn }),
  /**
   * A piece of the answer as the machine sent it: `text` is appended for good; `tail` is the
   * unfinished last word, shown after the text and replaced by the next event's (secrets are
   * recognised only once a word is complete, so it may still change).
   */
  z.object({ type: z.literal("text"), seq: z.number(), turnId: Id, text: z.string(), tail: z.string() }),
  z.object({ type: z.literal("tool"), seq: z.number(), turnId: Id, tool: WebTool }),
  z.object({ type: z.literal("tool.result"), seq: z.number(), turnId: Id, toolId: z.string(), output: z.string(), isError: z.boolean() }),
  /** The conversation with this machine was closed (/new here or in Telegram): its turns are history. */
  z.object({ type: z.literal("conversation"), seq: z.number(), deviceId: Id }),
  z.object({ type: z.literal("notice"), seq: z.number(), level: z.enum(["info", "warn", "error"]), text: z.string(), deviceId: z.optional(Id) }),
  z.object({ type: z.literal("approval"), seq: z.number(), approval: WebApproval }),
  z.object({ type: z.literal("approval.closed"), seq: z.number(), approvalId: Id, line: z.string() }),
]);

/**
 * Instead of a snapshot, when the browser reconnected with `?epoch=E&since=N` and the relay still
 * holds every event after N: the missed events follow, in order, from N + 1.
 */
export const WebResume = z.object({ type: z.literal("resume"), epoch: z.string(), seq: z.number().check(z.int()) });

/** A machine waiting to be paired, claimed by a typed code: the facts to compare before Pair. */
export const WebPendingMachine = z.object({
  claimId: Id,
  name: z.string(),
  hostname: z.string(),
  os: z.string(),
  arch: z.string(),
  user: z.string(),
  ip: z.string(),
  agentVersion: z.string(),
  fingerprint: z.string(),
  expiresAt: z.number(),
});

/** The answer to one command (a pairing code's answer carries the machine it claimed). */
export const WebResult = z.object({ type: z.literal("result"), ref: z.string(), ok: z.boolean(), message: z.string(), machine: z.optional(WebPendingMachine) });

export type WebServerMessage = z.infer<typeof WebSnapshot> | z.infer<typeof WebResume> | z.infer<typeof WebEvent> | z.infer<typeof WebResult>;

const Ref = z.string().check(z.maxLength(64));
export const WebApprovalAction = z.enum(["allow", "allowSession", "allowWide", "deny", "denyReason", "approvePlan", "keepPlanning", "option"]);

export const WebCommand = z.discriminatedUnion("type", [
  z.object({ type: z.literal("prompt"), ref: Ref, deviceId: Id, text: z.string().check(z.trim(), z.minLength(1, "the prompt is empty"), z.maxLength(WEB_PROMPT_MAX_CHARS)) }),
  z.object({ type: z.literal("stop"), ref: Ref, deviceId: Id }),
  z.object({ type: z.literal("new"), ref: Ref, deviceId: Id }),
  z.object({ type: z.literal("select"), ref: Ref, deviceId: Id }),
  /** Unpair a machine at once (its agent is disconnected; it must pair again to come back). */
  z.object({ type: z.literal("revoke"), ref: Ref, deviceId: Id }),
  /** /mode: the conversation's permission mode (the machine checks it against its cap). */
  z.object({ type: z.literal("mode"), ref: Ref, deviceId: Id, mode: PermissionMode }),
  /** /cd: the next prompts run in this folder, in a fresh conversation (the machine checks it). */
  z.object({ type: z.literal("cd"), ref: Ref, deviceId: Id, path: z.string().check(z.trim(), z.minLength(1), z.maxLength(4096)) }),
  /** Cancel one waiting prompt. */
  z.object({ type: z.literal("cancel"), ref: Ref, turnId: Id }),
  /** The code `ra pair` printed: claims that machine and answers with its facts to confirm. */
  z.object({ type: z.literal("pair"), ref: Ref, code: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) }),
  z.object({ type: z.literal("pair.confirm"), ref: Ref, claimId: Id, accept: z.boolean() }),
  z.object({
    type: z.literal("approval"),
    ref: Ref,
    approvalId: Id,
    action: WebApprovalAction,
    reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(WEB_REASON_MAX_CHARS))),
    /** With "option": which option of the question (0-based). */
    option: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(99))),
  }),
]);

export type WebDevice = z.infer<typeof WebDevice>;
export type WebTool = z.infer<typeof WebTool>;
export type WebTurn = z.infer<typeof WebTurn>;
export type WebApproval = z.infer<typeof WebApproval>;
export type WebSnapshot = z.infer<typeof WebSnapshot>;
export type WebEvent = z.infer<typeof WebEvent>;
export type WebResult = z.infer<typeof WebResult>;
export type WebResume = z.infer<typeof WebResume>;
export type WebPendingMachine = z.infer<typeof WebPendingMachine>;
export type WebCommand = z.infer<typeof WebCommand>;
export type WebApprovalAction = z.infer<typeof WebApprovalAction>;
export type WebEdit = z.infer<typeof WebEdit>;
export type WebQuestion = z.infer<typeof WebQuestion>;
/** Any event without its seq (the relay numbers them per user as it sends them). */
export type WebEventBody = WebEvent extends infer E ? (E extends { seq: number } ? Omit<E, "seq"> : never) : never;
