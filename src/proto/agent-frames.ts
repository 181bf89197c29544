import { z } from "./zod";
import { ErrorCode, Id, MachineFacts, PermissionMode, Seq, text } from "./common";
import { ListResult } from "./lists";
import { SessionEvent } from "./session-events";
import { PROTOCOL_VERSION } from "./version";

const V = z.literal(PROTOCOL_VERSION);

/** First frame on /ws/agent after the authenticated upgrade. */
export const Hello = z.object({
  v: V,
  type: z.literal("hello"),
  facts: MachineFacts,
  /** Sessions the agent still runs, so the relay can route to them after a reconnect. */
  sessions: z.array(z.object({ sessionId: Id, busy: z.boolean() })).check(z.maxLength(1000)),
  /** The machine's own limits, so the phone offers only what the machine allows. */
  limits: z.optional(z.object({ roots: z.array(text(4096)).check(z.maxLength(64)), maxMode: PermissionMode })),
});

export const EventFrame = z.object({
  v: V,
  type: z.literal("event"),
  sessionId: Id,
  seq: Seq,
  /** Agent clock, ms since epoch, when the event happened. */
  at: z.number(),
  event: SessionEvent,
});

export const Ping = z.object({ v: V, type: z.literal("ping"), t: z.number() });
export const Pong = z.object({ v: V, type: z.literal("pong"), t: z.number() });

export const ErrorFrame = z.object({
  v: V,
  type: z.literal("error"),
  code: ErrorCode,
  message: text(4096),
  /** The command or frame the error is about, when there is one. */
  ref: z.optional(text(64)),
});

/** First frame on /ws/pair: an unpaired machine asks for a pairing code. */
export const PairHello = z.object({
  v: V,
  type: z.literal("pair.hello"),
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  facts: MachineFacts,
  /** Random per attempt, printed by `ra pair` and shown on the owner's confirmation card. */
  fingerprint: z.optional(z.string().check(z.regex(/^[A-Z]{4}-[A-Z]{4}$/))),
});

export const AgentFrame = z.discriminatedUnion("type", [Hello, EventFrame, Ping, Pong, ErrorFrame, PairHello, ListResult]);
export type AgentFrame = z.infer<typeof AgentFrame>;

export type Hello = z.infer<typeof Hello>;
export type EventFrame = z.infer<typeof EventFrame>;
export type Ping = z.infer<typeof Ping>;
export type Pong = z.infer<typeof Pong>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type PairHello = z.infer<typeof PairHello>;
