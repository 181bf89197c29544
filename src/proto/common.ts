import { z } from "zod";

/** Opaque ids minted by the relay (sessions, turns, commands) or the agent (approval requests). */
export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
export type Id = z.infer<typeof Id>;

export const Seq = z.number().int().nonnegative();

export const PermissionMode = z.enum(["default", "acceptEdits", "plan", "bypassPermissions"]);
export type PermissionMode = z.infer<typeof PermissionMode>;

/** Risk order of claude's permission modes: plan only reads, bypassPermissions asks nothing. */
const MODE_RANK: Record<PermissionMode, number> = { plan: 0, default: 1, acceptEdits: 2, bypassPermissions: 3 };

/** Whether a machine whose highest allowed mode is `max` accepts `mode`. */
export const modeWithin = (mode: PermissionMode, max: PermissionMode) => MODE_RANK[mode] <= MODE_RANK[max];

/** Facts about a machine, shown to the owner when pairing and in /devices. */
export const MachineFacts = z.object({
  hostname: z.string().max(255),
  os: z.string().max(64),
  arch: z.string().max(64),
  user: z.string().max(255),
  agentVersion: z.string().max(64),
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
