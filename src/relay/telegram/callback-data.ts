/**
 * Every button's callback data, typed once. The wire format ("kind:id:step") is what buttons
 * already sent carry, so it never changes for an existing kind; Telegram allows 64 bytes.
 */
import { PermissionMode } from "../../proto";
import type { ApprovalAction } from "../core/approvals";

export type Step = "?" | "y" | "n";

export type Callback =
  | { kind: "approval"; approvalId: string; action: ApprovalAction }
  | { kind: "revoke"; deviceId: string; step: Step }
  | { kind: "pair"; claimId: string; accept: boolean }
  | { kind: "mode"; mode: PermissionMode }
  | { kind: "use"; deviceId: string }
  /** Runs the tapper's held `@name prompt` on this machine without changing the chat's selection. */
  | { kind: "runOnce"; deviceId: string }
  /** Lets the next connection with the device's token replace the current one (after a duplicate alert). */
  | { kind: "admit"; deviceId: string }
  | { kind: "stop"; turnId: string }
  | { kind: "cancel"; turnId: string }
  | { kind: "status"; turnId: string }
  | { kind: "keepWaiting"; turnId: string }
  /**
   * The /auto picker: its limits (0 = none), the chosen scopes as bits of AUTO_SCOPES, the machine,
   * and the tap: toggle scope N, start, or cancel.
   */
  | { kind: "auto"; minutes: number; cents: number; scopes: number; deviceId: string; action: "t0" | "t1" | "t2" | "go" | "no" }
  /** A schedule's buttons: cancel it, or what to do when its machine is offline at the time (skip / run when back). */
  | { kind: "schedule"; scheduleId: string; action: "x" | "s" | "r" }
  /** The diff of everything a finished turn changed, kept on its machine. */
  | { kind: "diff"; turnId: string }
  /** One of the files a finished turn changed (its index in the turn's list), sent as a document. */
  | { kind: "file"; turnId: string; index: number }
  | { kind: "removeUser"; userId: number; step: Step }
  | { kind: "invite"; inviteId: string; accept: boolean }
  /** Signs one browser out of the web app (listed by /web). */
  | { kind: "webRevoke"; sessionId: string }
  /** /sessions: plain prompts go to this conversation from now on. */
  | { kind: "session"; sessionId: string }
  /** /history: the whole conversation as a .md document. */
  | { kind: "transcript"; sessionId: string }
  /** A folder picker's button (/cd); what it does is kept on the relay under `token` (paths do not fit in 64 bytes). */
  | { kind: "folder"; token: string }
  /** A /desk button (a claude session started on the machine), kept on the relay under `token`. */
  | { kind: "desk"; token: string };

export type CallbackKind = Callback["kind"];
export type CallbackOf<K extends CallbackKind> = Extract<Callback, { kind: K }>;

const yn = (accept: boolean) => (accept ? "y" : "n");

export function encodeCallback(c: Callback): string {
  switch (c.kind) {
    case "approval": return `ap:${c.approvalId}:${c.action}`;
    case "revoke": return `rv:${c.deviceId}:${c.step}`;
    case "pair": return `pair:${c.claimId}:${yn(c.accept)}`;
    case "mode": return `mode:${c.mode}`;
    case "use": return `use:${c.deviceId}`;
    case "runOnce": return `run:${c.deviceId}`;
    case "admit": return `adm:${c.deviceId}`;
    case "stop": return `stop:${c.turnId}`;
    case "cancel": return `cancel:${c.turnId}`;
    case "status": return `st:${c.turnId}`;
    case "keepWaiting": return `kw:${c.turnId}`;
    case "file": return `f:${c.turnId}:${c.index}`;
    case "diff": return `df:${c.turnId}`;
    case "schedule": return `sc:${c.scheduleId}:${c.action}`;
    case "auto": return `au:${c.minutes}-${c.cents}-${c.scopes}-${c.deviceId}:${c.action}`;
    case "removeUser": return `usr:${c.userId}:${c.step}`;
    case "invite": return `inv:${c.inviteId}:${yn(c.accept)}`;
    case "webRevoke": return `wr:${c.sessionId}`;
    case "session": return `ss:${c.sessionId}`;
    case "transcript": return `tx:${c.sessionId}`;
    case "folder": return `fo:${c.token}`;
    case "desk": return `dk:${c.token}`;
  }
}

const ID = /^[A-Za-z0-9_-]{1,48}$/;
const ACTION = /^(?:[adswrpk]|q\d{1,2})$/;
const STEP = /^[?yn]$/;
const YN = /^[yn]$/;

/** The button's meaning, or undefined for data no button of this relay carries (old, forged or garbled). */
export function decodeCallback(data: string): Callback | undefined {
  const [prefix, id = "", step = "", ...rest] = data.split(":");
  if (rest.length > 0) return undefined;
  const idOk = ID.test(id);
  switch (prefix) {
    case "ap": return idOk && ACTION.test(step) ? { kind: "approval", approvalId: id, action: step as ApprovalAction } : undefined;
    case "rv": return idOk && STEP.test(step) ? { kind: "revoke", deviceId: id, step: step as Step } : undefined;
    case "pair": return idOk && YN.test(step) ? { kind: "pair", claimId: id, accept: step === "y" } : undefined;
    case "mode": {
      const mode = PermissionMode.safeParse(id);
      return mode.success && step === "" ? { kind: "mode", mode: mode.data } : undefined;
    }
    case "usr": return /^\d{1,16}$/.test(id) && STEP.test(step) ? { kind: "removeUser", userId: Number(id), step: step as Step } : undefined;
    case "inv": return idOk && YN.test(step) ? { kind: "invite", inviteId: id, accept: step === "y" } : undefined;
    case "au": {
      const m = id.match(/^(\d{1,4})-(\d{1,6})-([0-7])-([A-Za-z0-9_-]{1,30})$/);
      return m && /^(?:t[0-2]|go|no)$/.test(step) ? { kind: "auto", minutes: Number(m[1]), cents: Number(m[2]), scopes: Number(m[3]), deviceId: m[4]!, action: step as CallbackOf<"auto">["action"] } : undefined;
    }
    case "sc": return idOk && /^[xsr]$/.test(step) ? { kind: "schedule", scheduleId: id, action: step as "x" } : undefined;
    case "f": return idOk && /^\d{1,2}$/.test(step) ? { kind: "file", turnId: id, index: Number(step) } : undefined;
  }
  if (!idOk || step !== "") return undefined;
  switch (prefix) {
    case "use": return { kind: "use", deviceId: id };
    case "run": return { kind: "runOnce", deviceId: id };
    case "adm": return { kind: "admit", deviceId: id };
    case "stop": return { kind: "stop", turnId: id };
    case "cancel": return { kind: "cancel", turnId: id };
    case "st": return { kind: "status", turnId: id };
    case "kw": return { kind: "keepWaiting", turnId: id };
    case "df": return { kind: "diff", turnId: id };
    case "wr": return { kind: "webRevoke", sessionId: id };
    case "ss": return { kind: "session", sessionId: id };
    case "tx": return { kind: "transcript", sessionId: id };
    case "fo": return { kind: "folder", token: id };
    case "dk": return { kind: "desk", token: id };
  }
  return undefined;
}
