import type { WebApprovalAction, WebEdit } from "../../../proto/web";
import { lineDiff } from "./diff";
import { h } from "./dom";
import { renderMarkdown } from "./md-render";
import type { Card } from "./state";

export type TurnActions = {
  answer(approvalId: string, action: WebApprovalAction, extra?: { reason?: string; option?: number }): void;
  cancel(turnId: string): void;
};

/** An approval card: what claude wants (a command, a file change as a diff, a plan, a question) and the same choices as in Telegram. */
export function cardView(card: Card, actions: TurnActions): HTMLElement {
  const reasonInput = h("input", { class: "reason", name: "reason", placeholder: "Why not? Claude reads this.", maxlength: 4000, required: true });
  const reasonForm = h(
    "form",
    { class: "reason-form", hidden: true, onsubmit: (e: Event) => (e.preventDefault(), actions.answer(card.id, "denyReason", { reason: reasonInput.value })) },
    reasonInput,
    h("button", { type: "submit", class: "deny" }, "Deny with this reason"),
  );
  const button = (label: string, action: WebApprovalAction, cls: string, option?: number) =>
    h("button", { type: "button", class: cls, "data-action": action, onclick: () => actions.answer(card.id, action, option === undefined ? {} : { option }) }, label);
  const denyWithReason = h("button", { type: "button", class: "deny-reason", "data-action": "denyReason", onclick: () => ((reasonForm.hidden = false), reasonInput.focus()) }, "Deny with reason…");
  const choices =
    card.kind === "plan"
      ? [button("Approve plan", "approvePlan", "allow"), button("Keep planning", "keepPlanning", "keep")]
      : card.kind === "question" && card.question
        ? [...card.question.options.map((o, i) => button(o.label, "option", "option", i)), button("Deny", "deny", "deny")]
        : [
            button("Allow", "allow", "allow"),
            card.always && button(`Allow for session: ${card.always.narrow}`, "allowSession", "allow-session"),
            card.always?.wide && button(`Allow for session: ${card.always.wide}`, "allowWide", "allow-session"),
            button("Deny", "deny", "deny"),
            denyWithReason,
          ];
  const title = card.kind === "plan" ? "Claude has a plan" : card.kind === "question" ? (card.question?.header ?? "Claude asks") : `${card.toolName} wants to run`;
  return h(
    "section",
    { class: `card approval kind-${card.kind}${card.closed ? " closed" : ""}`, "data-approval": card.id },
    h("div", { class: "card-title" }, card.closed ? `${title} · answered` : title),
    card.description && h("p", { class: "card-description" }, card.description),
    body(card),
    card.closed ? h("div", { class: "card-line" }, card.closed) : [h("div", { class: "actions" }, choices), reasonForm],
  );
}

function body(card: Card): Node | Node[] {
  if (card.kind === "plan" && card.plan !== undefined) return h("div", { class: "plan" }, renderMarkdown(card.plan));
  if (card.kind === "question" && card.question) {
    const q = card.question;
    return h(
      "div",
      { class: "question" },
      h("p", null, q.question),
      h("ol", null, q.options.map((o) => h("li", null, h("b", null, o.label), o.description ? ` — ${o.description}` : ""))),
      q.multiSelect && h("p", { class: "hint" }, "Several answers allowed; a button picks one."),
      q.more ? h("p", { class: "hint" }, `The buttons answer this question only (${q.more} more in the input below).`) : null,
      q.more ? h("pre", { class: "card-input" }, card.input) : null,
    );
  }
  if (card.kind === "edit" && card.edits) return card.edits.map(diffView);
  return h("pre", { class: "card-input" }, card.input);
}

function diffView(edit: WebEdit): HTMLElement {
  const lines = lineDiff(edit.before, edit.after);
  const added = lines.filter((l) => l.op === "+").length;
  const removed = lines.filter((l) => l.op === "-").length;
  return h(
    "div",
    { class: "diff" },
    h("div", { class: "diff-path" }, edit.path, h("span", { class: "diffstat" }, ` +${added} −${removed}`)),
    h("pre", { class: "diff-body" }, lines.map((l) => h("span", { class: `diff-line op-${l.op === "+" ? "add" : l.op === "-" ? "del" : "same"}` }, `${l.op} ${l.text}\n`))),
  );
}
