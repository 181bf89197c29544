import type { WebDevice, WebTool, WebTurn } from "../../../proto/web";
import { h } from "./dom";
import { renderMarkdown } from "./md-render";
import { cardView, type TurnActions } from "./card";
import type { Card } from "./state";


export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function deviceStateText(d: WebDevice, now: number): string {
  if (d.state !== "offline") return d.state;
  return d.lastSeenAt ? `offline · last seen ${ago(now - d.lastSeenAt)}` : "offline · never connected";
}

export function deviceItem(d: WebDevice, selected: boolean, now: number, pick: (id: string) => void): HTMLElement {
  return h(
    "button",
    { class: `device state-${d.state}${selected ? " selected" : ""}`, type: "button", "data-device": d.id, "aria-pressed": selected ? "true" : "false", onclick: () => pick(d.id) },
    h("span", { class: "name" }, d.label),
    h("span", { class: "state" }, deviceStateText(d, now)),
  );
}

/** One prompt and its answer, with its tools folded and its approval cards; updated in parts. */
export type TurnDom = { el: HTMLElement; answer: HTMLElement; tools: HTMLElement; cards: HTMLElement; meta: HTMLElement; text?: string; toolsKey?: string; cardsKey?: string };

export function turnDom(turn: WebTurn): TurnDom {
  const parts = { answer: h("div", { class: "answer" }), tools: h("div", { class: "tools-slot" }), cards: h("div", { class: "cards" }), meta: h("footer", { class: "meta" }) };
  const el = h("article", { class: "turn", "data-turn": turn.id }, h("div", { class: "prompt" }, turn.prompt), parts.answer, parts.tools, parts.cards, parts.meta);
  return { el, ...parts };
}

export function updateTurn(dom: TurnDom, turn: WebTurn, cards: Card[], actions: TurnActions): void {
  dom.el.className = `turn status-${turn.status}`;
  dom.el.dataset.status = turn.status;
  const text = turn.status === "running" ? turn.text + (turn.tail ?? "") : turn.text;
  if (dom.text !== text) {
    dom.answer.replaceChildren(...renderMarkdown(text));
    dom.text = text;
  }
  const toolsKey = `${turn.status}|${turn.tools.map((t) => `${t.id}:${t.output === undefined ? "" : "o"}`).join(",")}`;
  if (dom.toolsKey !== toolsKey) {
    const open = dom.tools.querySelector("details")?.open ?? false;
    dom.tools.replaceChildren(...(turn.tools.length ? [toolsView(turn.tools, turn.status === "running", open)] : []));
    dom.toolsKey = toolsKey;
  }
  const cardsKey = cards.map((c) => `${c.id}:${c.closed ? "x" : ""}`).join(",");
  if (dom.cardsKey !== cardsKey) {
    dom.cards.replaceChildren(...cards.map((c) => cardView(c, actions)));
    dom.cardsKey = cardsKey;
  }
  dom.meta.replaceChildren(metaLine(turn), ...(turn.status === "queued" ? [" ", h("button", { type: "button", class: "cancel", onclick: () => actions.cancel(turn.id) }, "Cancel")] : []));
}

function metaLine(turn: WebTurn): string {
  switch (turn.status) {
    case "queued": return turn.waiting ? `waiting: ${turn.waiting}` : "waiting";
    case "running": return "running…";
    case "stopped": return `stopped${took(turn)}`;
    case "failed": return `failed: ${turn.error ?? "unknown error"}`;
    case "done": return `done${took(turn)}${turn.costUsd ? ` · $${turn.costUsd.toFixed(4)}` : ""}`;
  }
}

/** The machine's own duration, or (after a reload) the time from prompt to end. */
function took(turn: WebTurn): string {
  const ms = turn.durationMs ?? (turn.endedAt ? turn.endedAt - turn.createdAt : undefined);
  return ms === undefined ? "" : ` · ${seconds(ms)}`;
}

const seconds = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);

function toolsView(tools: WebTool[], running: boolean, open: boolean): HTMLElement {
  const last = tools.at(-1)!;
  const summary = running ? `${last.name} ${last.summary}` : `${tools.length} tool call${tools.length === 1 ? "" : "s"}`;
  return h(
    "details",
    { class: "tools", open },
    h("summary", null, summary),
    h("ul", null, tools.map((t) =>
      h("li", { class: t.isError ? "tool error" : "tool" },
        h("span", { class: "tool-name" }, t.name), " ", h("span", { class: "tool-summary" }, t.summary),
        t.added !== undefined || t.removed !== undefined ? h("span", { class: "diffstat" }, ` +${t.added ?? 0} −${t.removed ?? 0}`) : null,
        t.output ? h("pre", { class: "tool-output" }, t.output) : null),
    )),
  );
}
