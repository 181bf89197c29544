import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { Clock } from "../clock";
import type { Log } from "../log";
import type { SessionEvent } from "../proto";
import type { Approval, ApprovalStatus, Device, Repo, Session, Turn } from "./db/repo";
import type { Hub } from "./hub";
import { sha256, shortId } from "./secrets";
import { bashPrefix, questionAnswer, renderApprovalCard, withDecision } from "./telegram/approval-card";
import type { Messenger } from "./telegram/messenger";

type RequestEvent = Extract<SessionEvent, { kind: "approval.request" }>;
type ClosedEvent = Extract<SessionEvent, { kind: "approval.closed" }>;
export type TapAction = "a" | "d" | "s" | "r" | "p" | "k" | `q${number}`;

export type ApprovalsDeps = {
  repo: Repo;
  hub: Hub;
  messenger: Messenger;
  clock: Clock;
  log: Log;
  timeoutMs: number;
  /** The device's topic in a chat (cards go where the device's turns are). */
  threadOf?: (chatId: number, deviceId: string) => number | undefined;
};

const DENIED_BY_OWNER = "The owner denied this from Telegram.";
const KEEP_PLANNING = "The owner wants to keep planning; refine the plan before asking again.";

/**
 * Approval cards on the relay: one per permission question, decided at most once (the database
 * update is conditional), denied on timeout, disconnect and restart, and every decision audited.
 */
export class Approvals {
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Who tapped "Deny with reason" on a card (kept in memory: after a restart anyone allowed in the chat may answer). */
  private reasonFrom = new Map<string, number>();
  /** Decision lines for cards whose message was still on its way when they were decided. */
  private lateLines = new Map<string, { line: string; keepButtons: boolean }>();
  /** "Allow for this session" rules: tool names, or `Bash:<prefix>` for commands. Cleared by /new. */
  private rules = new Map<string, Set<string>>();

  /** Told when a card leaves pending (decided, expired or closed), so the turn's status line can follow. */
  onFinished?: (turnId: string) => void;

  constructor(private readonly deps: ApprovalsDeps) {}

  /** Claude asks: allow by a session rule, or show the card and wait for a tap. */
  async request(session: Session, turn: Turn, device: Device, event: RequestEvent): Promise<void> {
    const { repo, clock } = this.deps;
    if (repo.approvalByRequest(session.id, event.requestId)) return;
    const digest = sha256(JSON.stringify(event.input));
    const rule = this.matchingRule(session.id, event);
    if (rule) {
      this.deps.hub.send(device.id, { type: "approval.answer", sessionId: session.id, requestId: event.requestId, decision: { behavior: "allow" } });
      repo.addAudit({ at: clock.now(), userId: null, deviceId: device.id, sessionId: session.id, toolName: event.toolName, inputDigest: digest, answer: `allow (session rule ${rule})`, latencyMs: 0, approvalId: "-" });
      return;
    }
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
    repo.addApproval(approval);
    this.timers.set(approval.id, setTimeout(() => this.expire(approval.id), this.deps.timeoutMs));
    await this.showCard(approval, device);
  }

  /** A button on a card. Returns the short text for the tap's answer. */
  tap(approvalId: string, action: TapAction, userId: number, chatId: number): string {
    const approval = this.deps.repo.approval(approvalId);
    if (!approval || approval.chatId !== chatId) return "This card is not yours.";
    if (approval.status !== "pending") return approval.status === "expired" ? "This request expired (denied)." : "Already decided.";
    const input = JSON.parse(approval.input) as Record<string, unknown>;
    if (action === "r") {
      this.deps.repo.setAwaitingReason(approval.id, true);
      this.reasonFrom.set(approval.id, userId);
      void this.editCard(approval, "✍️ send the reason as your next message…", true);
      return "Send the reason as your next message.";
    }
    if (action === "a" || action === "p") return this.decide(approval, userId, { behavior: "allow" }, action === "p" ? "✅ plan approved by you" : "✅ allowed by you", "allow");
    if (action === "s") {
      const rule = ruleFor(approval.toolName, input);
      if (rule) this.rulesOf(approval.sessionId).add(rule);
      return this.decide(approval, userId, { behavior: "allow" }, `✅ allowed by you for this session${rule ? ` (${rule.replace(/^Bash:/, "Bash ")})` : ""}`, "allow for session");
    }
    if (action === "k") return this.decide(approval, userId, { behavior: "deny", message: KEEP_PLANNING }, "📝 keep planning, said you", "keep planning");
    if (action.startsWith("q")) {
      const index = Number(action.slice(1));
      const answered = questionAnswer(input, index).answers as Record<string, string> | undefined;
      if (!answered) return "That option no longer exists.";
      return this.decide(approval, userId, { behavior: "allow", answers: answered }, `✅ you answered: ${Object.values(answered).join(", ")}`, "answer");
    }
    return this.decide(approval, userId, { behavior: "deny", message: DENIED_BY_OWNER }, "❌ denied by you", "deny");
  }

  /** The owner's message after "Deny with reason": returns true when it was consumed as the reason. */
  reason(chatId: number, userId: number, text: string): boolean {
    const approval = this.deps.repo.awaitingReason(chatId);
    if (!approval) return false;
    // In a group, only the person who tapped "Deny with reason" gives the reason.
    const from = this.reasonFrom.get(approval.id);
    if (from !== undefined && from !== userId) return false;
    this.reasonFrom.delete(approval.id);
    this.decide(approval, userId, { behavior: "deny", message: text.slice(0, 4000) }, `❌ denied by you: ${text.slice(0, 200)}`, "deny with reason");
    return true;
  }

  /** The agent ended the request itself (claude withdrew it, or the agent denied it on a fault). */
  closed(session: Session, event: ClosedEvent): void {
    const approval = this.deps.repo.approvalByRequest(session.id, event.requestId);
    if (!approval) return;
    const [status, line, answer]: [Exclude<ApprovalStatus, "pending">, string, string] =
      event.outcome === "cancelled" ? ["cancelled", "✖ withdrawn (the turn was stopped or ended)", "cancelled"]
      : event.outcome === "denied_timeout" ? ["expired", "⌛ expired → denied", "expired"]
      : event.outcome === "denied_session_ended" ? ["denied", "❌ denied: the conversation ended", "denied (session ended)"]
      : ["denied", "❌ denied: the machine lost its connection", "denied (disconnected)"];
    this.finish(approval, status, line, answer, null);
  }

  /** The machine disconnected: it denies on its side; the cards say so. */
  deviceGone(deviceId: string, deviceName: string): void {
    for (const approval of this.deps.repo.pendingApprovals()) {
      if (approval.deviceId === deviceId) this.finish(approval, "denied", `❌ denied: ${deviceName} disconnected`, "denied (disconnected)", null);
    }
  }

  /** At start: whatever was pending when the relay stopped was denied by the agents meanwhile. */
  relayRestarted(): void {
    for (const approval of this.deps.repo.pendingApprovals()) this.finish(approval, "denied", "❌ denied: the relay restarted", "denied (relay restarted)", null);
  }

  sessionEnded(sessionId: string): void {
    this.rules.delete(sessionId);
  }

  /** Cards still waiting for a decision that this user can see. */
  pending(chatId: number): Approval[] {
    return this.deps.repo.pendingApprovals().filter((a) => a.chatId === chatId);
  }

  /** Sends a fresh copy of a pending card (for /pending); both copies work, the first tap wins. */
  async resend(approval: Approval): Promise<void> {
    const device = this.deps.repo.device(approval.deviceId);
    if (device) await this.showCard(approval, device);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private decide(approval: Approval, userId: number, decision: { behavior: "allow"; answers?: Record<string, string> } | { behavior: "deny"; message: string }, line: string, answer: string): string {
    const { hub, clock } = this.deps;
    const status = decision.behavior === "allow" ? "allowed" : "denied";
    if (!hub.online(approval.deviceId)) {
      this.finish(approval, "denied", "❌ denied: the machine is offline", "denied (offline)", userId);
      return "The machine is offline; the request was denied.";
    }
    if (!this.finish(approval, status, `${line} · ${hhmm(clock.now())}`, answer, userId)) return "Already decided.";
    hub.send(approval.deviceId, { type: "approval.answer", sessionId: approval.sessionId, requestId: approval.requestId, decision });
    return decision.behavior === "allow" ? "Allowed" : "Denied";
  }

  /** The single transition out of pending: conditional in the database, so it happens once. */
  private finish(approval: Approval, status: Exclude<ApprovalStatus, "pending">, line: string, answer: string, userId: number | null): boolean {
    const { repo, clock } = this.deps;
    const now = clock.now();
    if (!repo.decideApproval(approval.id, status, now)) return false;
    clearTimeout(this.timers.get(approval.id));
    this.timers.delete(approval.id);
    repo.addAudit({ at: now, userId, deviceId: approval.deviceId, sessionId: approval.sessionId, toolName: approval.toolName, inputDigest: approval.inputDigest, answer, latencyMs: now - approval.createdAt, approvalId: approval.id });
    void this.editCard(approval, line, false);
    this.onFinished?.(approval.turnId);
    return true;
  }

  private expire(approvalId: string): void {
    const approval = this.deps.repo.approval(approvalId);
    if (!approval || approval.status !== "pending") return;
    const minutes = Math.round(this.deps.timeoutMs / 60_000);
    if (!this.finish(approval, "expired", `⌛ expired → denied (no answer in ${minutes} min)`, "expired", null)) return;
    this.deps.hub.send(approval.deviceId, {
      type: "approval.answer",
      sessionId: approval.sessionId,
      requestId: approval.requestId,
      decision: { behavior: "deny", message: `No answer from the owner within ${minutes} minutes; denied by default.` },
    });
  }

  private card(approval: Approval, deviceName: string) {
    return renderApprovalCard({
      deviceName,
      sessionLabel: `s:${approval.sessionId.slice(0, 4)}`,
      toolName: approval.toolName,
      input: JSON.parse(approval.input) as Record<string, unknown>,
      ...(approval.description ? { description: approval.description } : {}),
    });
  }

  private async showCard(approval: Approval, device: Device): Promise<void> {
    const { messenger, repo } = this.deps;
    const card = this.card(approval, device.name);
    const message = await messenger.send(approval.chatId, card.text, { markup: buttons(approval.id, card.kind, card.options), urgent: true, threadId: this.deps.threadOf?.(approval.chatId, approval.deviceId) });
    if (message) repo.setApprovalMessage(approval.id, message.message_id);
    const late = this.lateLines.get(approval.id);
    if (message && late) {
      this.lateLines.delete(approval.id);
      await this.editCard(approval, late.line, late.keepButtons);
    }
    if (card.document) await messenger.document(approval.chatId, card.document.filename, card.document.content, `Full input of the ${approval.toolName} request above`, this.deps.threadOf?.(approval.chatId, approval.deviceId));
  }

  private async editCard(approval: Approval, line: string, keepButtons: boolean): Promise<void> {
    const fresh = this.deps.repo.approval(approval.id) ?? approval;
    if (!fresh.messageId) {
      this.lateLines.set(fresh.id, { line, keepButtons });
      return;
    }
    const device = this.deps.repo.device(fresh.deviceId);
    const card = this.card(fresh, device?.name ?? "machine");
    const markup = keepButtons ? buttons(fresh.id, card.kind, card.options) : undefined;
    await this.deps.messenger.edit(fresh.chatId, fresh.messageId, withDecision(card.text, line), { markup });
  }

  private rulesOf(sessionId: string): Set<string> {
    let set = this.rules.get(sessionId);
    if (!set) this.rules.set(sessionId, (set = new Set()));
    return set;
  }

  private matchingRule(sessionId: string, event: RequestEvent): string | undefined {
    const rules = this.rules.get(sessionId);
    if (!rules || event.toolName === "AskUserQuestion" || event.toolName === "ExitPlanMode") return undefined;
    if (event.toolName === "Bash") {
      const command = typeof event.input.command === "string" ? event.input.command : "";
      const prefix = bashPrefix(command);
      return [...rules].find((r) => r.startsWith("Bash:") && prefix !== "" && (prefix === r.slice(5) || prefix.startsWith(`${r.slice(5)} `)));
    }
    return rules.has(event.toolName) ? event.toolName : undefined;
  }
}

function ruleFor(toolName: string, input: Record<string, unknown>): string | undefined {
  if (toolName === "AskUserQuestion" || toolName === "ExitPlanMode") return undefined;
  if (toolName !== "Bash") return toolName;
  const prefix = bashPrefix(typeof input.command === "string" ? input.command : "");
  return prefix ? `Bash:${prefix}` : undefined;
}

function buttons(id: string, kind: "permission" | "question" | "plan", options: string[] = []): InlineKeyboardMarkup {
  const b = (text: string, action: TapAction): InlineKeyboardButton => ({ text, callback_data: `ap:${id}:${action}` });
  if (kind === "plan") return { inline_keyboard: [[b("✅ Approve plan", "p"), b("📝 Keep planning", "k")]] };
  if (kind === "question") return { inline_keyboard: [...options.slice(0, 10).map((o, i) => [b(o, `q${i}`)]), [b("❌ Deny", "d")]] };
  return { inline_keyboard: [[b("✅ Allow", "a"), b("❌ Deny", "d")], [b("✅ Allow for this session", "s"), b("✍️ Deny with reason", "r")]] };
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
