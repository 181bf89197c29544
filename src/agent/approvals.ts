import type { Clock } from "../clock";
import type { Log } from "../log";
import type { ApprovalAnswer, SessionEvent } from "../proto";
import type { PermissionDecision, PermissionHandler } from "../runner/permission";
import type { z } from "../proto/zod";

type Decision = z.infer<typeof ApprovalAnswer>["decision"];
type Outcome = Extract<SessionEvent, { kind: "approval.closed" }>["outcome"];

type Pending = {
  sessionId: string;
  turnId: string;
  input: Record<string, unknown>;
  finish(decision: PermissionDecision, outcome?: Outcome): void;
};

/** Strings above this are cut in what is sent to the phone (the frame limit is 1 MiB); claude still gets the original. */
const SHOWN_STRING_LIMIT = 256 * 1024;

export const DENY_MESSAGES = {
  owner: "The owner denied this from Telegram.",
  timeout: "No answer from the owner in time; denied by default.",
  disconnected: "The connection to the owner's phone was lost; denied by default.",
  cancelled: "The request was withdrawn.",
} as const;

/**
 * Claude's permission questions waiting for the owner. Each is forwarded to the relay once and
 * answered at most once; every fault (timeout, lost link, session end) denies. Nothing here can
 * allow a tool without an explicit answer for that exact request.
 */
export class PendingApprovals {
  private pending = new Map<string, Pending>();

  timeoutMs: number;

  constructor(readonly deps: { emit(sessionId: string, event: SessionEvent): void; timeoutMs: number; log: Log; clock: Clock }) {
    this.timeoutMs = deps.timeoutMs;
  }

  /** The permission handler for one session; `turnId()` names the turn that is running. */
  handlerFor(sessionId: string, turnId: () => string | undefined): PermissionHandler {
    return (request, signal) =>
      new Promise<PermissionDecision>((resolve) => {
        const turn = turnId();
        if (!turn || this.pending.has(request.requestId)) {
          resolve({ behavior: "deny", message: DENY_MESSAGES.cancelled });
          return;
        }
        const cancelTimeout = this.deps.clock.schedule(this.timeoutMs, () => entry.finish({ behavior: "deny", message: DENY_MESSAGES.timeout }, "denied_timeout"));
        const onAbort = () => entry.finish({ behavior: "deny", message: DENY_MESSAGES.cancelled }, "cancelled");
        const entry: Pending = {
          sessionId,
          turnId: turn,
          input: request.input,
          finish: (decision, outcome) => {
            if (!this.pending.delete(request.requestId)) return;
            cancelTimeout();
            signal.removeEventListener("abort", onAbort);
            if (outcome) this.deps.emit(sessionId, { kind: "approval.closed", turnId: turn, requestId: request.requestId, outcome });
            resolve(decision);
          },
        };
        this.pending.set(request.requestId, entry);
        signal.addEventListener("abort", onAbort, { once: true });
        this.deps.emit(sessionId, {
          kind: "approval.request",
          turnId: turn,
          requestId: request.requestId,
          toolName: request.toolName,
          input: shownInput(request.input),
          ...(request.description ? { description: request.description.slice(0, 4096) } : {}),
        });
      });
  }

  /** The owner's answer. Refused (false) for unknown, already answered or another session's requests. */
  answer(sessionId: string, requestId: string, decision: Decision): boolean {
    const entry = this.pending.get(requestId);
    if (!entry || entry.sessionId !== sessionId) {
      this.deps.log.warn(`ignoring an answer for approval ${requestId}: not pending in session ${sessionId}`);
      return false;
    }
    if (decision.behavior === "deny") entry.finish({ behavior: "deny", message: decision.message });
    else entry.finish({ behavior: "allow", updatedInput: decision.answers ? { ...entry.input, answers: decision.answers } : entry.input });
    return true;
  }

  /** The link to the relay dropped: nobody can answer, so everything waiting is denied. */
  denyAll(outcome: Outcome, message: string): number {
    const all = [...this.pending.values()];
    for (const entry of all) entry.finish({ behavior: "deny", message }, outcome);
    return all.length;
  }

  get size(): number {
    return this.pending.size;
  }
}

function shownInput(input: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(input);
  if (json.length <= SHOWN_STRING_LIMIT) return input;
  const cut = (value: unknown): unknown => {
    if (typeof value === "string" && value.length > SHOWN_STRING_LIMIT / 4) return `${value.slice(0, SHOWN_STRING_LIMIT / 4)}\n… [${value.length - SHOWN_STRING_LIMIT / 4} more characters not shown]`;
    if (Array.isArray(value)) return value.map(cut);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v)]));
    return value;
  };
  return cut(input) as Record<string, unknown>;
}
