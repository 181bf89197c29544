import { z } from "./zod";

/** Opaque ids minted by the relay (sessions, turns, commands) or the agent (approval requests). */
export const Id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/));
export type Id = z.infer<typeof Id>;

export const Seq = z.int().check(z.nonnegative());

export const PermissionMode = z.enum(["default", "acceptEdits", "plan", "bypassPermissions"]);
export type PermissionMode = z.infer<typeof PermissionMode>;

/** Risk order of claude's permission modes: plan only reads, bypassPermissions asks nothing. */
const MODE_RANK: Record<PermissionMode, number> = { plan: 0, default: 1, acceptEdits: 2, bypassPermissions: 3 };

/** Whether a machine whose highest allowed mode is `max` accepts `mode`. */
export const modeWithin = (mode: PermissionMode, max: PermissionMode) => MODE_RANK[mode] <= MODE_RANK[max];

/** A string of at most `max` characters (the limits of every free-text field). */
export const text = (max: number) => z.string().check(z.maxLength(max));

/** Facts about a machine, shown to the owner when pairing and in /devices. */
export const MachineFacts = z.object({
  hostname: text(255),
  os: text(64),
  arch: text(64),
  user: text(255),
  agentVersion: text(64),
});
export type MachineFacts = z.infer<typeof MachineFacts>;

export const ErrorCode = z.enum([
  "bad_frame",
  "unsupported_version",
  "unauthorized",
  "unknown_session",
  "busy",
  "cwd_refused",
  "mode_refused",
  "spawn_failed",
  "rate_limited",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;
