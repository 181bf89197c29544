import type { WebApproval, WebDevice, WebServerMessage, WebSnapshot, WebTurn } from "../../../proto/web";

export type Card = WebApproval & { closed?: string };
export type Notice = { level: "info" | "warn" | "error"; text: string; deviceId?: string; at: number };

/** What the app shows, kept in step with the relay by its snapshot and numbered events. */
export type State = {
  /** The relay process's stream and the last event applied from it (a reconnect resumes after it). */
  epoch: string;
  seq: number;
  user?: WebSnapshot["user"];
  devices: WebDevice[];
  selected: string | null;
  turns: Map<string, WebTurn>;
  cards: Map<string, Card>;
  notices: Notice[];
};

/** What an event changed, so the page redraws only that. */
export type Change = { all?: boolean; devices?: boolean; turns?: Set<string>; /** Events were missed: start over from a snapshot. */ gap?: boolean };

export const emptyState = (): State => ({ epoch: "", seq: 0, devices: [], selected: null, turns: new Map(), cards: new Map(), notices: [] });

export function apply(state: State, message: WebServerMessage): Change {
  if (message.type === "result") return {};
  if (message.type === "resume") return message.epoch === state.epoch && message.seq === state.seq ? {} : { gap: true };
  if (message.type === "snapshot") {
    Object.assign(state, {
      epoch: message.epoch,
      seq: message.seq,
      user: message.user,
      devices: message.devices,
      selected: message.selected,
      turns: new Map(message.turns.map((t) => [t.id, t])),
      cards: new Map(message.approvals.map((a) => [a.id, a])),
    });
    return { all: true };
  }
  if (message.seq <= state.seq) return {}; // already applied (a replay overlapping what arrived)
  if (message.seq !== state.seq + 1) return { gap: true };
  state.seq = message.seq;
  switch (message.type) {
    case "device": {
      const at = state.devices.findIndex((d) => d.id === message.device.id);
      if (at >= 0) state.devices[at] = message.device;
      else state.devices.push(message.device);
      return { devices: true };
    }
    case "device.removed":
      state.devices = state.devices.filter((d) => d.id !== message.deviceId);
      if (state.selected === message.deviceId) state.selected = null;
      return { all: true };
    case "selected":
      state.selected = message.deviceId;
      return { all: true };
    case "turn": {
      const known = state.turns.get(message.turn.id);
      const next = { ...message.turn };
      // The relay keeps tools per turn only once they are shown; the browser's own list is as good.
      if (known && next.tools.length === 0) next.tools = known.tools;
      if (known && next.status === "running" && known.text.length > next.text.length) Object.assign(next, { text: known.text, tail: known.tail });
      state.turns.set(next.id, next);
      return { turns: new Set([next.id]) };
    }
    case "text": {
      const turn = state.turns.get(message.turnId);
      if (!turn) return {};
      turn.text += message.text;
      turn.tail = message.tail;
      return { turns: new Set([turn.id]) };
    }
    case "tool": {
      const turn = state.turns.get(message.turnId);
      if (!turn || turn.tools.some((t) => t.id === message.tool.id)) return {};
      turn.tools = [...turn.tools, message.tool];
      return { turns: new Set([turn.id]) };
    }
    case "tool.result": {
      const turn = state.turns.get(message.turnId);
      if (!turn) return {};
      turn.tools = turn.tools.map((t) => (t.id === message.toolId ? { ...t, output: message.output, isError: message.isError } : t));
      return { turns: new Set([turn.id]) };
    }
    case "conversation":
      for (const [id, turn] of state.turns) if (turn.deviceId === message.deviceId) state.turns.delete(id);
      return { all: true };
    case "notice":
      state.notices = [...state.notices.slice(-19), { level: message.level, text: message.text, deviceId: message.deviceId, at: Date.now() }];
      return { all: true };
    case "approval":
      state.cards.set(message.approval.id, message.approval);
      return { turns: new Set([message.approval.turnId]) };
    case "approval.closed": {
      const card = state.cards.get(message.approvalId);
      if (!card) return {};
      card.closed = message.line;
      return { turns: new Set([card.turnId]) };
    }
  }
}

/** The machine the chat shows: the selected one, else the only one, else the first. */
export function currentDevice(state: State): WebDevice | undefined {
  return state.devices.find((d) => d.id === state.selected) ?? state.devices[0];
}

/** The shown machine's turns of its open conversation, oldest first. */
export function turnsOf(state: State, deviceId: string): WebTurn[] {
  const turns = [...state.turns.values()].filter((t) => t.deviceId === deviceId);
  const latest = turns.at(-1)?.sessionId;
  return turns.filter((t) => t.sessionId === latest);
}
