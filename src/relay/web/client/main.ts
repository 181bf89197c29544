import type { WebApprovalAction, WebServerMessage } from "../../../proto/web";
import { Connection } from "./connection";
import { h, replace } from "./dom";
import { apply, currentDevice, emptyState, turnsOf, type Change } from "./state";
import { pairDialog } from "./pair-dialog";
import { sessionControls } from "./session-controls";
import { deviceItem, deviceStateText, turnDom, updateTurn, type TurnDom } from "./views";

const state = emptyState();
const turnDoms = new Map<string, TurnDom>();

const deviceList = h("nav", { class: "devices", "aria-label": "Machines" });
const title = h("div", { class: "title" });
const sessionBar = h("div", { class: "session-bar" });
const turnsEl = h("div", { class: "turns", "aria-live": "polite" });
const toast = h("div", { class: "toast", role: "status" });
const noticesEl = h("div", { class: "notices", role: "log" });
const connLine = h("div", { class: "conn" });
const promptBox = h("textarea", { name: "prompt", rows: 2, placeholder: "Ask Claude…", "aria-label": "Prompt", enterkeyhint: "send" });
const stopButton = h("button", { type: "button", class: "stop", onclick: () => void act("stop") }, "Stop");
const composer = h("form", { class: "composer", onsubmit: (e: Event) => (e.preventDefault(), void submit()) }, promptBox, stopButton, h("button", { type: "submit", class: "send" }, "Send"));

const connection = new Connection(
  received,
  (status) => {
    connLine.textContent = status === "open" ? "" : status === "connecting" ? "Connecting…" : "Offline: reconnecting…";
    document.body.dataset.connection = status;
  },
  () => (state.epoch ? { epoch: state.epoch, seq: state.seq } : undefined),
);

const pairing = pairDialog(connection, say);

function layout(): HTMLElement {
  return h(
    "div",
    { class: "shell" },
    h(
      "aside",
      { class: "side" },
      h("div", { class: "brand" }, "ra"),
      deviceList,
      h("button", { type: "button", class: "pair-open", onclick: () => pairing.showModal() }, "Pair a machine"),
      pairing,
    ),
    h(
      "main",
      { class: "chat" },
      h(
        "header",
        { class: "bar" },
        title,
        h("button", { type: "button", class: "new", onclick: () => void act("new") }, "New conversation"),
        h("button", { type: "button", class: "revoke", onclick: () => void revoke() }, "Revoke"),
        h("form", { method: "post", action: "/logout", class: "logout" }, h("button", { type: "submit" }, "Sign out")),
      ),
      sessionBar,
      connLine,
      turnsEl,
      noticesEl,
      toast,
      composer,
    ),
  );
}

function received(message: WebServerMessage): void {
  if (message.type === "result") {
    if (!message.ok) say(message.message);
    return;
  }
  const change = apply(state, message);
  if (change.gap) return connection.restart();
  schedule(change);
}

let pending: Change = {};
let frame = 0;
/** Coalesces the changes of one frame: tokens arriving faster than the screen paints cost one paint. */
function schedule(change: Change): void {
  pending = {
    all: pending.all || change.all,
    devices: pending.devices || change.devices,
    turns: new Set([...(pending.turns ?? []), ...(change.turns ?? [])]),
  };
  if (!frame) frame = requestAnimationFrame(flush);
}

function flush(): void {
  frame = 0;
  const change = pending;
  pending = {};
  const nearBottom = turnsEl.scrollHeight - turnsEl.scrollTop - turnsEl.clientHeight < 80;
  if (change.all || change.devices) renderDevices();
  if (change.all) {
    renderChat();
    renderNotices();
  }
  else for (const id of change.turns ?? []) renderTurn(id);
  renderComposer();
  if (nearBottom) turnsEl.scrollTop = turnsEl.scrollHeight;
}

function renderDevices(): void {
  const shown = currentDevice(state);
  const now = Date.now();
  replace(deviceList, state.devices.length ? state.devices.map((d) => deviceItem(d, d.id === shown?.id, now, pick)) : h("p", { class: "empty" }, "No machine is paired yet. Run ra pair on a machine."));
  replace(title, shown ? [h("span", { class: "title-name" }, shown.label), h("span", { class: `title-state state-${shown.state}` }, deviceStateText(shown, now))] : "ra");
  replace(sessionBar, shown ? sessionControls(shown, connection, say) : []);
}

function renderChat(): void {
  const shown = currentDevice(state);
  const turns = shown ? turnsOf(state, shown.id) : [];
  const keep = new Set(turns.map((t) => t.id));
  for (const id of turnDoms.keys()) if (!keep.has(id)) turnDoms.delete(id);
  replace(turnsEl, turns.length ? turns.map((t) => domOf(t.id)!.el) : h("p", { class: "empty" }, shown ? `Nothing asked on ${shown.label} yet in this conversation.` : ""));
  for (const t of turns) renderTurn(t.id);
}

/** The machine's latest notices (restarts, refusals), the last few of the past 10 minutes. */
function renderNotices(): void {
  const shown = currentDevice(state);
  const recent = state.notices.filter((n) => (!n.deviceId || n.deviceId === shown?.id) && Date.now() - n.at < 10 * 60_000).slice(-3);
  replace(noticesEl, recent.map((n) => h("p", { class: `notice level-${n.level}` }, n.text)));
}

function renderTurn(id: string): void {
  const turn = state.turns.get(id);
  const shown = currentDevice(state);
  if (!turn || turn.deviceId !== shown?.id) return;
  if (!turnDoms.has(id)) return renderChat();
  const cards = [...state.cards.values()].filter((c) => c.turnId === id);
  updateTurn(domOf(id)!, turn, cards, { answer, cancel: (turnId) => void connection.send({ type: "cancel", turnId }).then((r) => say(r.message)) });
}

function domOf(id: string): TurnDom | undefined {
  if (!turnDoms.has(id) && state.turns.has(id)) turnDoms.set(id, turnDom(state.turns.get(id)!));
  return turnDoms.get(id);
}

function renderComposer(): void {
  const shown = currentDevice(state);
  const active = shown ? turnsOf(state, shown.id).some((t) => t.status === "running" || t.status === "queued") : false;
  stopButton.disabled = !active;
  promptBox.disabled = !shown;
}

function pick(deviceId: string): void {
  if (deviceId === currentDevice(state)?.id) return;
  state.selected = deviceId;
  schedule({ all: true });
  void connection.send({ type: "select", deviceId }).then((r) => !r.ok && say(r.message));
}

async function submit(): Promise<void> {
  const shown = currentDevice(state);
  const text = promptBox.value.trim();
  if (!shown || !text) return;
  const result = await connection.send({ type: "prompt", deviceId: shown.id, text });
  if (result.ok) promptBox.value = "";
  else say(result.message);
}

async function act(type: "stop" | "new"): Promise<void> {
  const shown = currentDevice(state);
  if (!shown) return;
  const result = await connection.send({ type, deviceId: shown.id });
  say(result.message);
}

async function revoke(): Promise<void> {
  const shown = currentDevice(state);
  if (!shown || !confirm(`Revoke ${shown.label}? Its agent is disconnected at once, its running turn stops, and it must be paired again to come back.`)) return;
  say((await connection.send({ type: "revoke", deviceId: shown.id })).message);
}

function answer(approvalId: string, action: WebApprovalAction, extra: { reason?: string; option?: number } = {}): void {
  void connection.send({ type: "approval", approvalId, action, ...extra }).then((r) => say(r.message));
}

let toastTimer = 0;
function say(text: string): void {
  toast.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (toast.textContent = ""), 4000);
}

promptBox.addEventListener("keydown", (e) => {
  // Enter sends on a keyboard; Shift+Enter is a new line (phones send with the button).
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing && matchMedia("(pointer: fine)").matches) {
    e.preventDefault();
    void submit();
  }
});

replace(document.getElementById("app")!, layout());
renderComposer();
connection.open();
// "last seen 3 min ago" keeps counting.
setInterval(() => schedule({ devices: true }), 30_000);
// Installable and opens offline: the service worker keeps the shell of this very build.
if ("serviceWorker" in navigator) {
  const version = new URL(import.meta.url).searchParams.get("v") ?? "0";
  navigator.serviceWorker.register(`/sw.js?v=${version}`).catch(() => {});
}
