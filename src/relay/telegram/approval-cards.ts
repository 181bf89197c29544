import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { ApprovalAction } from "../core/approvals";
import type { CoreEvent } from "../core/events";
import { describeRule, ruleChoices, type SessionRule } from "../core/session-rules";
import type { Approval, Device, Store } from "../store/types";
import { renderApprovalCard, withDecision } from "./approval-card";
import { encodeCallback } from "./callback-data";
import type { Messenger } from "./messenger";

export type ApprovalCardsDeps = {
  store: Store;
  messenger: Messenger;
  /** The device's topic in a chat (cards go where the device's turns are). */
  threadOf?: (chatId: number, deviceId: string, sessionId?: string) => Promise<number | undefined>;
};

/**
 * Approvals as Telegram cards: sent when one opens (ahead of anything else waiting for the chat),
 * edited to say what happened when it closes, sent again on /pending.
 */
export class ApprovalCards {
  /** Decision lines for cards whose message was still on its way when they were decided. */
  private lateLines = new Map<string, { line: string; keepButtons: boolean }>();

  constructor(private readonly deps: ApprovalCardsDeps) {}

  readonly handle = (event: CoreEvent): void => {
    if (event.type === "approval.opened") void this.show(event.approval, event.device);
    else if (event.type === "approval.reasonRequested") void this.edit(event.approval, "✍️ send the reason as your next message…", true);
    else if (event.type === "approval.closed") void this.edit(event.approval, event.line, false);
  };

  /** Sends a fresh copy of a pending card (for /pending); both copies work, the first tap wins. */
  async resend(approval: Approval): Promise<void> {
    const device = await this.deps.store.device(approval.deviceId);
    if (device) await this.show(approval, device);
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

  private async show(approval: Approval, device: Device): Promise<void> {
    const { messenger, store } = this.deps;
    const card = this.card(approval, device.name);
    const threadId = await this.deps.threadOf?.(approval.chatId, approval.deviceId, approval.sessionId);
    const message = await messenger.send(approval.chatId, card.text, { markup: buttons(approval, card.kind, card.options), urgent: true, threadId });
    if (message) await store.setApprovalMessage(approval.id, message.message_id);
    const late = this.lateLines.get(approval.id);
    if (message && late) {
      this.lateLines.delete(approval.id);
      await this.edit(approval, late.line, late.keepButtons);
    }
    if (card.document) await messenger.document(approval.chatId, card.document.filename, card.document.content, `Full input of the ${approval.toolName} request above`, threadId);
  }

  private async edit(approval: Approval, line: string, keepButtons: boolean): Promise<void> {
    const fresh = await this.deps.store.approval(approval.id) ?? approval;
    if (!fresh.messageId) {
      this.lateLines.set(fresh.id, { line, keepButtons });
      return;
    }
    const device = await this.deps.store.device(fresh.deviceId);
    const card = this.card(fresh, device?.name ?? "machine");
    const markup = keepButtons ? buttons(fresh, card.kind, card.options) : undefined;
    await this.deps.messenger.edit(fresh.chatId, fresh.messageId, withDecision(card.text, line), { markup });
  }
}

function buttons(approval: Approval, kind: "permission" | "question" | "plan", options: string[] = []): InlineKeyboardMarkup {
  const b = (text: string, action: ApprovalAction): InlineKeyboardButton => ({ text, callback_data: encodeCallback({ kind: "approval", approvalId: approval.id, action }) });
  if (kind === "plan") return { inline_keyboard: [[b("✅ Approve plan", "p"), b("📝 Keep planning", "k")]] };
  if (kind === "question") return { inline_keyboard: [...options.slice(0, 10).map((o, i) => [b(o, `q${i}`)]), [b("❌ Deny", "d")]] };
  // "Always" says exactly what it will allow for the rest of the session, before the tap.
  const choices = ruleChoices(approval.toolName, JSON.parse(approval.input) as Record<string, unknown>);
  const always = (rule: SessionRule, action: ApprovalAction) => [b(clipLabel(`✅ Always: ${describeRule(rule)}`), action)];
  return {
    inline_keyboard: [
      [b("✅ Allow", "a"), b("❌ Deny", "d")],
      ...(choices ? [always(choices.narrow, "s")] : []),
      ...(choices?.wide ? [always(choices.wide, "w")] : []),
      [b("✍️ Deny with reason", "r")],
    ],
  };
}

/** Telegram cuts long button labels anyway; the middle goes, so the start and the end both show. */
function clipLabel(label: string): string {
  const chars = Array.from(label);
  return chars.length <= LABEL_MAX ? label : `${chars.slice(0, LABEL_MAX - 21).join("")}…${chars.slice(-20).join("")}`;
}
const LABEL_MAX = 64;
