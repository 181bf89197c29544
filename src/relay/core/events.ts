/**
 * The relay core's domain events: what happened, never how to show it. Surfaces (Telegram, the
 * web app) subscribe to these on the bus and render them; the core knows no chat, message or button.
 */
import type { SessionEvent, TurnEnded } from "../../proto";
import type { Limits } from "./machine-limits";
import type { Approval, ApprovalStatus, Device, Schedule, Session, Turn } from "../store/types";

/** What a running turn produced, as the agent reported it (already stored, exactly once, in order). */
export type TurnOutput = Extract<SessionEvent, { kind: "text" | "tool" | "tool.result" | "notice" | "approval.request" | "approval.closed" | "init" | "turn.started" }>;

/** How a turn ended: the agent's own report, or the core's reason when it ended the turn itself. */
export type TurnEnd = Partial<Omit<TurnEnded, "kind" | "turnId" | "status">>;
export type EndStatus = "done" | "stopped" | "failed";

/** `turn` in an event is the row as it was when the event happened (before a status change the event reports). */
export type CoreEvent =
  /** A prompt became a turn; `waiting` says why it does not run at once. */
  | { type: "turn.created"; turn: Turn; device: Device; waiting?: string }
  | { type: "turn.started"; turn: Turn }
  /** A turn still running on its machine, learnt again after the relay or the link restarted. */
  | { type: "turn.resumed"; turn: Turn }
  /**
   * `offset`: for text (and the paragraph break a tool call adds), how many characters of the stored
   * answer came before it. A surface that starts from the stored answer (after a restart, or late)
   * takes that much of it and this piece, and skips a piece it already has.
   */
  | { type: "turn.output"; turn: Turn; output: TurnOutput; offset?: number }
  | { type: "turn.ended"; turn: Turn; status: EndStatus; end: TurnEnd }
  /** No approval of this turn waits any more. */
  | { type: "turn.approvalsSettled"; turnId: string }
  /** A notice from the machine about a session (also shown inside the turn, when it has one). */
  | { type: "session.notice"; session: Session; level: "info" | "warn" | "error"; text: string }
  | { type: "approval.opened"; approval: Approval; device: Device }
  /** Someone chose "deny with reason": the next message from them is the reason. */
  | { type: "approval.reasonRequested"; approval: Approval }
  /** The single transition out of pending; `line` says what happened, for every surface alike. */
  | { type: "approval.closed"; approval: Approval; status: Exclude<ApprovalStatus, "pending">; line: string }
  /** A machine with running turns lost its link; `chats` are where those turns were asked. */
  | { type: "device.lost"; device: Device; chats: number[] }
  | { type: "device.back"; device: Device; chats: number[] }
  | { type: "device.revoked"; device: Device }
  /** The machine's agent said hello / its link dropped (every connection, busy or not). */
  /** `limits`: what the machine allows (its hello), for relays other than the one it is connected to. */
  | { type: "device.online"; device: Device; limits?: Limits }
  | { type: "device.offline"; device: Device }
  /** A second agent with the device's token tried to connect from `ip` and was refused; the one from `keptIp` stays. */
  | { type: "device.duplicate"; device: Device; ip: string; keptIp: string }
  /** A schedule's time came and its prompt did not run (`reason` says why, for the person). */
  | { type: "schedule.skipped"; schedule: Schedule; reason: string };

export type CoreEventOf<T extends CoreEvent["type"]> = Extract<CoreEvent, { type: T }>;
