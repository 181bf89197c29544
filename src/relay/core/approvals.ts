import type { Cancel, Clock } from "../../clock";
import type { ApprovalAnswer, ApprovalClosed, ApprovalRequest } from "../../proto";
import type { Bus } from "../bus/types";
import { sha256, shortId } from "../secrets";
import type { Approval, ApprovalStatus, Device, Session, Store, Turn } from "../store/types";
import type { CoreEvent } from "./events";
import type { Hub } from "./hub";
import { questionAnswer } from "./question-answer";
import { describeRule, ruleChoices, SessionRules } from "./session-rules";
import { SCOPE_NAMES, type AutoApprove } from "./auto-approve";

/**
 * What a person chose on an approval: allow, deny, always (the narrow session rule), always (the
 * wider one), deny with reason, approve plan, keep planning, option N.
 */
export type ApprovalAction = "a" | "d" | "s" | "w" | "r" | "p" | "k" | `q${number}`;

export type ApprovalsDeps = { store: Store; hub: Hub; bus: Bus<CoreEvent>; clock: Clock; timeoutMs: number; auto: AutoApprove };

type Decision = ApprovalAnswer["decision"];

const DENIED_BY_OWNER = "The owner denied this from Telegram.";
const KEEP_PLANNING = "The owner wants to keep planning; refine the plan before asking again.";

/**
 * Claude's permission questions on the relay: one per request, decided at most once (the store's
 * update is conditional), denied on timeout, disconnect and restart, and every decision audited.
 */
export class Approvals {
  private expiries = new Map<string, Cancel>();
  /** Who chose "deny with reason" (kept in memory: after a restart anyone allowed in the chat may answer). */
  private reasonFrom = new Map<string, number>();
  private rules = new SessionRules();

  constructor(private readonly deps: ApprovalsDeps) {}

  /** Claude asks: allow by a session rule, or open the approval and wait for an answer. */
  async request(session: Session, turn: Turn, device: Device, event: ApprovalRequest): Promise<void> {
    const { store, clock } = this.deps;
    if (await store.approvalByRequest(session.id, event.requestId)) return;
    const digest = sha256(JSON.stringify(event.input));
    const rule = this.rules.match(session.id, event);
    if (rule) {
      this.deps.hub.send(device.id, { type: "approval.answer", sessionId: session.id, requestId: event.requestId, decision: { behavior: "allow" } });
      await store.addAudit({ at: clock.now(), userId: null, deviceId: device.id, sessionId: session.id, toolName: event.toolName, inputDigest: digest, answer: `allow (session rule: ${describeRule(rule)})`, latencyMs: 0, approvalId: "-" });
      return;
    }
    if (await this.autoAllowed(session, device, event, digest)) return void this.deps.auto.count(turn.id);
    const approval: Approval = {
      id: shortId(9),
      requestId: event.requestId,
      sessionId: session.id,
      turnId: turn.id,
      deviceId: device.id,
      chatId: turn.chatId,
      toolName: event.toolName,
      inputDigest: digest,
      input: JSON.stringify(event.input),
      description: event.description ?? null,
      status: "pending",
      awaitingReason: false,
      messageId: null,
      createdAt: clock.now(),
      decidedAt: null,
    };
    await store.addApproval(approval);
    this.expiries.set(approval.id, clock.schedule(this.deps.timeoutMs, () => void this.expire(approval.id)));
    this.deps.bus.publish({ type: "approval.opened", approval, device });
  }

  /** A person's choice. Returns the short text to show them. */
  async answer(approvalId: string, action: ApprovalAction, userId: number, chatId: number): Promise<string> {
    const approval = await this.deps.store.approval(approvalId);
    if (!approval || approval.chatId !== chatId) return "This card is not yours.";
    if (approval.status !== "pending") return approval.status === "expired" ? "This request expired (denied)." : "Already decided.";
    const input = JSON.parse(approval.input) as Record<string, unknown>;
    if (action === "r") {
      await this.deps.store.setAwaitingReason(approval.id, true);
      this.reasonFrom.set(approval.id, userId);
      this.deps.bus.publish({ type: "approval.reasonRequested", approval: { ...approval, awaitingReason: true } });
      return "Send the reason as your next message.";
    }
    if (action === "a" || action === "p") return this.decide(approval, userId, { behavior: "allow" }, action === "p" ? "✅ plan approved by you" : "✅ allowed by you", "allow");
    if (action === "s" || action === "w") {
      const choices = ruleChoices(approval.toolName, input);
      const rule = action === "w" ? choices?.wide : choices?.narrow;
      if (!rule) return "That choice does not exist for this request.";
      const said = await this.decide(approval, userId, { behavior: "allow" }, `✅ allowed by you for this session (${describeRule(rule)})`, `allow for session: ${describeRule(rule)}`);
      if (said === "Allowed") this.rules.add(approval.sessionId, rule);
      return said;
    }
    if (action === "k") return this.decide(approval, userId, { behavior: "deny", message: KEEP_PLANNING }, "📝 keep planning, said you", "keep planning");
    if (action.startsWith("q")) {
      const answered = questionAnswer(input, Number(action.slice(1))).answers as Record<string, string> | undefined;
      if (!answered) return "That option no longer exists.";
      return this.decide(approval, userId, { behavior: "allow", answers: answered }, `✅ you answered: ${Object.values(answered).join(", ")}`, "answer");
    }
    return this.decide(approval, userId, { behavior: "deny", message: DENIED_BY_OWNER }, "❌ denied by you", "deny");
  }

  /** A message after "deny with reason": true when it was consumed as the reason. */
  async reason(chatId: number, userId: number, text: string): Promise<boolean> {
    const approval = await this.deps.store.awaitingReason(chatId);
    if (!approval) return false;
    // In a group, only the person who chose "deny with reason" gives the reason.
    const from = this.reasonFrom.get(approval.id);
    if (from !== undefined && from !== userId) return false;
    this.reasonFrom.delete(approval.id);
    await this.decide(approval, userId, { behavior: "deny", message: text.slice(0, 4000) }, `❌ denied by you: ${text.slice(0, 200)}`, "deny with reason");
    return true;
  }

  /** Deny with the reason given in the same step (a surface with a text field on the card). */
  async denyWithReason(approvalId: string, userId: number, chatId: number, text: string): Promise<string> {
    const approval = await this.deps.store.approval(approvalId);
    if (!approval || approval.chatId !== chatId) return "This card is not yours.";
    if (approval.status !== "pending") return approval.status === "expired" ? "This request expired (denied)." : "Already decided.";
    this.reasonFrom.delete(approval.id);
    return this.decide(approval, userId, { behavior: "deny", message: text.slice(0, 4000) }, `❌ denied by you: ${text.slice(0, 200)}`, "deny with reason");
  }

  /** The agent ended the request itself (claude withdrew it, or the agent denied it on a fault). */
  async closed(session: Session, event: ApprovalClosed): Promise<void> {
    const approval = await this.deps.store.approvalByRequest(session.id, event.requestId);
    if (!approval) return;
    const [status, line, answer]: [Exclude<ApprovalStatus, "pending">, string, string] =
      event.outcome === "cancelled" ? ["cancelled", "✖ withdrawn (the turn was stopped or ended)", "cancelled"]
      : event.outcome === "denied_timeout" ? ["expired", "⌛ expired → denied", "expired"]
      : event.outcome === "denied_session_ended" ? ["denied", "❌ denied: the conversation ended", "denied (session ended)"]
      : ["denied", "❌ denied: the machine lost its connection", "denied (disconnected)"];
    await this.finish(approval, status, line, answer, null);
  }

  /** The machine disconnected: it denies on its side; the approvals say so. */
  async deviceGone(deviceId: string, deviceName: string): Promise<void> {
    for (const approval of await this.deps.store.pendingApprovals()) {
      if (approval.deviceId === deviceId) await this.finish(approval, "denied", `❌ denied: ${deviceName} disconnected`, "denied (disconnected)", null);
    }
  }

  /** At start: whatever was pending when the relay stopped was denied by the agents meanwhile. */
  async relayRestarted(): Promise<void> {
    for (const approval of await this.deps.store.pendingApprovals()) await this.finish(approval, "denied", "❌ denied: the relay restarted", "denied (relay restarted)", null);
  }

  async sessionEnded(sessionId: string): Promise<void> {
    this.rules.clear(sessionId);
    await this.deps.auto.end(sessionId);
  }

  /** /auto: allowed without a card when the session's grant covers it; a used-up grant ends here, said once. */
  private async autoAllowed(session: Session, device: Device, event: ApprovalRequest, digest: string): Promise<boolean> {
    const { auto, store, clock, bus } = this.deps;
    const grant = await auto.of(session.id);
    if (!grant) return false;
    const over = auto.exhausted(grant);
    if (over) {
      await auto.end(session.id);
      bus.publish({ type: "session.notice", session, level: "warn", text: `Auto-approve on ${device.name} ended: ${over}. This request and the next ones ask you again; /auto starts another.` });
      return false;
    }
    const scope = auto.covers(grant, session, event);
    if (!scope) return false;
    this.deps.hub.send(device.id, { type: "approval.answer", sessionId: session.id, requestId: event.requestId, decision: { behavior: "allow" } });
    await store.addAudit({ at: clock.now(), userId: grant.grantedBy, deviceId: device.id, sessionId: session.id, toolName: event.toolName, inputDigest: digest, answer: `allow (auto: ${SCOPE_NAMES[scope]})`, latencyMs: 0, approvalId: "-" });
    return true;
  }

  /** Approvals of this chat still waiting for a decision. */
  async pending(chatId: number): Promise<Approval[]> {
    return (await this.deps.store.pendingApprovals()).filter((a) => a.chatId === chatId);
  }

  stop(): void {
    for (const cancel of this.expiries.values()) cancel();
    this.expiries.clear();
  }

  private async decide(approval: Approval, userId: number, decision: Decision, line: string, answer: string): Promise<string> {
    const { hub, clock } = this.deps;
    const status = decision.behavior === "allow" ? "allowed" : "denied";
    if (!hub.online(approval.deviceId)) {
      await this.finish(approval, "denied", "❌ denied: the machine is offline", "denied (offline)", userId);
      return "The machine is offline; the request was denied.";
    }
    if (!(await this.finish(approval, status, `${line} · ${hhmm(clock.now())}`, answer, userId))) return "Already decided.";
    hub.send(approval.deviceId, { type: "approval.answer", sessionId: approval.sessionId, requestId: approval.requestId, decision });
    return decision.behavior === "allow" ? "Allowed" : "Denied";
  }

  /** The single transition out of pending: conditional in the store, so it happens once. */
  private async finish(approval: Approval, status: Exclude<ApprovalStatus, "pending">, line: string, answer: string, userId: number | null): Promise<boolean> {
    const { store, clock, bus } = this.deps;
    const now = clock.now();
    if (!(await store.decideApproval(approval.id, status, now))) return false;
    this.expiries.get(approval.id)?.();
    this.expiries.delete(approval.id);
    await store.addAudit({ at: now, userId, deviceId: approval.deviceId, sessionId: approval.sessionId, toolName: approval.toolName, inputDigest: approval.inputDigest, answer, latencyMs: now - approval.createdAt, approvalId: approval.id });
    bus.publish({ type: "approval.closed", approval, status, line });
    if (!(await store.pendingApprovals()).some((a) => a.turnId === approval.turnId)) bus.publish({ type: "turn.approvalsSettled", turnId: approval.turnId });
    return true;
  }

  private async expire(approvalId: string): Promise<void> {
    const approval = await this.deps.store.approval(approvalId);
    if (!approval || approval.status !== "pending") return;
    const minutes = Math.round(this.deps.timeoutMs / 60_000);
    if (!(await this.finish(approval, "expired", `⌛ expired → denied (no answer in ${minutes} min)`, "expired", null))) return;
    this.deps.hub.send(approval.deviceId, {
      type: "approval.answer",
      sessionId: approval.sessionId,
      requestId: approval.requestId,
      decision: { behavior: "deny", message: `No answer from the owner within ${minutes} minutes; denied by default.` },
    });
  }
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
