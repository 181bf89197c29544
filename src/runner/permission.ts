/**
 * The permission seam. claude asks (a `can_use_tool` control_request) before a tool that needs
 * approval; the session hands the question to a `PermissionHandler` and writes its decision back.
 * Until approval from the phone exists, every question is denied: nothing here may allow a tool
 * automatically.
 */

export interface PermissionRequest {
  /** claude's id for this question; the answer is matched by it. */
  requestId: string;
  toolName: string;
  /** The full tool input (a whole file for Write): show a shortened copy, answer with the original. */
  input: Record<string, unknown>;
  /** The `tool_use` block this question is about (the same id as the runner's `tool` event). */
  toolUseId?: string;
  /** claude's one-line description of the call, when it gave one. */
  description?: string;
  /** The claude session (from `init`), when known. */
  sessionId?: string;
}

export type PermissionDecision =
  /** `updatedInput` is required by claude 2.1.197: echo `input`, or an edited copy to change what runs. */
  | { behavior: "allow"; updatedInput: Record<string, unknown> }
  /** The model sees `message` as the tool's error result and carries on with the turn. */
  | { behavior: "deny"; message: string };

/**
 * Decides one permission question. `signal` aborts when claude withdraws the question
 * (`control_cancel_request`, e.g. after an interrupt) or the process ends; an answer given after
 * that is dropped.
 */
export type PermissionHandler = (request: PermissionRequest, signal: AbortSignal) => Promise<PermissionDecision>;

export const DEFAULT_DENY_MESSAGE = "Tool approval from the phone is not available yet; ra denies by default.";

export const denyAllPermissions: PermissionHandler = async () => ({ behavior: "deny", message: DEFAULT_DENY_MESSAGE });
