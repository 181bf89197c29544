import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { CloseCode, MAX_TEXT_EVENT_CHARS, MAX_TURN_TEXT_CHARS, type EventFrame, type Hello, type SessionEvent } from "../../proto";
import type { Bus } from "../bus/types";
import type { Device, Session, Store, Turn } from "../store/types";
import type { Approvals } from "./approvals";
import type { CoreEvent } from "./events";
import type { Hub } from "./hub";
import type { MachineLimits } from "./machine-limits";
import type { Turns } from "./turns";

export type MachinesDeps = { store: Store; hub: Hub; bus: Bus<CoreEvent>; clock: Clock; log: Log; turns: Turns; approvals: Approvals; limits: MachineLimits };

/**
 * The machines' side of the conversation: hello and reconnect, numbered events stored exactly
 * once and in order, disconnects and revocation.
 */
export class Machines {
  /** Machines that dropped with a turn running: their chats hear when they are back. */
  private droppedWhileBusy = new Set<string>();
  /** Answer text stored per turn so far (read once from the store per turn and process). */
  private storedChars = new Map<string, number>();
  /** When the owner last heard of a second agent with each device's token (one warning per 10 minutes). */
  private duplicateToldAt = new Map<string, number>();

  constructor(private readonly deps: MachinesDeps) {}

  /** An agent said hello: tell it what is stored, then deliver whatever waited for it. */
  connected(device: Device, hello: Hello): { sessionId: string; seq: number }[] {
    const { store, turns, bus } = this.deps;
    if (hello.limits) this.deps.limits.set(device.id, hello.limits);
    const alive = new Set(hello.sessions.map((s) => s.sessionId));
    const sessions = store.openSessionsOfDevice(device.id);
    for (const session of sessions) {
      for (const turn of store.turnsOfSession(session.id, ["running"])) {
        // Still running there (maybe across a relay restart): the surfaces pick it up again.
        if (alive.has(session.id)) bus.publish({ type: "turn.resumed", turn });
        // The agent no longer has this conversation's process: the turn cannot finish.
        else turns.end(turn, "failed", { error: `${device.name} restarted while this turn was running; send the prompt again to continue the conversation.` });
      }
    }
    bus.publish({ type: "device.online", device });
    if (this.droppedWhileBusy.delete(device.id)) bus.publish({ type: "device.back", device, chats: turns.runningChats(device.id) });
    // Conversations closed while the machine was away: it still holds them (a claude, a worktree), so it hears now.
    const closed = hello.sessions.filter((s) => {
      const stored = store.session(s.sessionId);
      return stored?.deviceId === device.id && stored.closedAt !== null;
    });
    queueMicrotask(() => {
      for (const s of closed) this.deps.hub.send(device.id, { type: "session.close", sessionId: s.sessionId });
      sessions.forEach((s) => turns.pump(s.id));
    });
    return sessions.filter((s) => s.lastSeq >= 0).map((s) => ({ sessionId: s.id, seq: s.lastSeq }));
  }

  /** The device's link dropped: its pending approvals are denied (the agent denies them too). */
  disconnected(device: Device): void {
    this.deps.approvals.deviceGone(device.id, device.name);
    this.deps.bus.publish({ type: "device.offline", device });
    const chats = this.deps.turns.runningChats(device.id);
    if (chats.length === 0) return;
    this.droppedWhileBusy.add(device.id);
    this.deps.bus.publish({ type: "device.lost", device, chats });
  }

  /** A second agent with this device's token was refused while the first stays connected: the owner hears at once. */
  duplicate(device: Device, ip: string, keptIp: string): void {
    const now = this.deps.clock.now();
    if (now - (this.duplicateToldAt.get(device.id) ?? Number.NEGATIVE_INFINITY) < DUPLICATE_NOTICE_EVERY_MS) return;
    this.duplicateToldAt.set(device.id, now);
    this.deps.bus.publish({ type: "device.duplicate", device, ip, keptIp });
  }

  /** Revoked (or unpaired itself): everything of the device ends now and its token stops working. */
  revoke(device: Device): void {
    const { store, hub, clock, turns } = this.deps;
    this.deps.approvals.deviceGone(device.id, device.name);
    for (const session of store.openSessionsOfDevice(device.id)) {
      for (const turn of store.turnsOfSession(session.id, ["queued", "running"])) turns.end(turn, "failed", { error: `${device.name} was revoked.` });
      store.closeSession(session.id, clock.now());
    }
    store.deleteDevice(device.id);
    hub.disconnect(device.id, CloseCode.unauthorized, "this device was revoked");
    this.deps.bus.publish({ type: "device.revoked", device });
  }

  /** Stores one numbered event (dropping duplicates), publishes it and returns the seq to acknowledge. */
  event(deviceId: string, frame: EventFrame): { ack: number } | { error: string } {
    const { store, log, bus } = this.deps;
    const session = store.session(frame.sessionId);
    if (!session || session.deviceId !== deviceId) return { error: `unknown session ${frame.sessionId}` };
    if (frame.seq <= session.lastSeq) return { ack: session.lastSeq };
    if (frame.seq !== session.lastSeq + 1) log.warn(`session ${session.id}: events ${session.lastSeq + 1}..${frame.seq - 1} never arrived`);
    const event = frame.event;
    const turnId = "turnId" in event ? event.turnId : undefined;
    const turn = turnId ? store.turn(turnId) : undefined;
    if (turnId && (!turn || turn.sessionId !== session.id)) {
      store.setLastSeq(session.id, frame.seq);
      return { error: `unknown turn ${turnId}` };
    }
    store.transaction(() => {
      this.record(session, turn, event);
      store.setLastSeq(session.id, frame.seq);
    });
    if (turn) {
      if (event.kind === "turn.ended") bus.publish({ type: "turn.ended", turn, status: event.status, end: event });
      else bus.publish({ type: "turn.output", turn, output: event });
    }
    if (turn && event.kind === "approval.request") {
      const device = store.device(deviceId);
      if (device) this.deps.approvals.request(session, turn, device, event);
    }
    if (event.kind === "approval.closed") this.deps.approvals.closed(session, event);
    else if (event.kind === "notice") bus.publish({ type: "session.notice", session, level: event.level, text: event.text });
    if (event.kind === "turn.ended") this.deps.turns.pump(session.id);
    return { ack: frame.seq };
  }

  private roomFor(turnId: string, chars: number): boolean {
    const stored = this.storedChars.get(turnId) ?? this.deps.store.turnText(turnId).length;
    if (stored + chars > STORED_TEXT_CEILING) {
      this.storedChars.set(turnId, stored);
      return false;
    }
    this.storedChars.set(turnId, stored + chars);
    return true;
  }

  private record(session: Session, turn: Turn | undefined, event: SessionEvent): void {
    const { store, clock } = this.deps;
    switch (event.kind) {
      case "init":
        if (event.claudeSessionId !== session.claudeSessionId) store.setClaudeSession(session.id, event.claudeSessionId);
        return;
      case "text":
        if (turn && this.roomFor(turn.id, event.text.length)) store.appendTurnText(turn.id, event.text);
        return;
      case "tool":
        // Text after a tool call is a new paragraph (the tool itself shows in the tool section).
        if (turn && this.roomFor(turn.id, TOOL_BREAK.length)) store.appendTurnText(turn.id, TOOL_BREAK);
        return;
      case "turn.ended":
        if (turn) this.storedChars.delete(turn.id);
        if (turn) store.setTurnStatus(turn.id, event.status, clock.now());
        if (turn && event.files?.length) store.setTurnFiles(turn.id, JSON.stringify(event.files));
        if (event.costUsd) store.addSessionCost(session.id, event.costUsd);
        if (event.claudeSessionId && event.claudeSessionId !== session.claudeSessionId) store.setClaudeSession(session.id, event.claudeSessionId);
        return;
      default:
        return;
    }
  }
}

const DUPLICATE_NOTICE_EVERY_MS = 10 * 60_000;

/**
 * An agent streams at most MAX_TURN_TEXT_CHARS of a turn (it keeps the rest on the machine); text
 * past that, plus one event's slack, comes from a broken or hostile agent and is not stored, so it
 * cannot fill the relay's disk. The frames are still acknowledged.
 */
const STORED_TEXT_CEILING = MAX_TURN_TEXT_CHARS + MAX_TEXT_EVENT_CHARS;

/** What separates text before a tool call from text after it. */
export const TOOL_BREAK = "\n\n";
