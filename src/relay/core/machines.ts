import type { Clock } from "../../clock";
import type { Log } from "../../log";
import { CloseCode, MAX_TEXT_EVENT_CHARS, MAX_TURN_TEXT_CHARS, type EventFrame, type Hello, type SessionEvent } from "../../proto";
import type { Bus } from "../bus/types";
import type { Device, Session, Store, Turn } from "../store/types";
import type { Approvals } from "./approvals";
import type { CoreEvent } from "./events";
import type { Hub } from "./hub";
import { KeyedQueue } from "./keyed-queue";
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
  /** Each session's events, one after another. */
  private readonly inOrder = new KeyedQueue();

  constructor(private readonly deps: MachinesDeps) {
    // Whichever relay said a machine lost, the one it reconnects to says it is back (all see the events).
    deps.bus.subscribe((e) => {
      if (e.type === "device.lost") this.droppedWhileBusy.add(e.device.id);
      else if (e.type === "device.back") this.droppedWhileBusy.delete(e.device.id);
    });
  }

  /** An agent said hello: tell it what is stored, then deliver whatever waited for it. */
  async connected(device: Device, hello: Hello): Promise<{ sessionId: string; seq: number }[]> {
    const { store, turns, bus } = this.deps;
    if (hello.limits) this.deps.limits.set(device.id, hello.limits);
    // Asked on a link that is gone (the agent denied them when it dropped): closed before this link asks anew.
    // Usually done when the link dropped; not when the relay holding it was killed.
    await this.deps.approvals.deviceGone(device.id, device.name);
    const alive = new Set(hello.sessions.map((s) => s.sessionId));
    const sessions = await store.openSessionsOfDevice(device.id);
    for (const session of sessions) {
      for (const turn of await store.turnsOfSession(session.id, ["running"])) {
        // Still running there (maybe across a relay restart): the surfaces pick it up again.
        if (alive.has(session.id)) bus.publish({ type: "turn.resumed", turn });
        // The agent no longer has this conversation's process: the turn cannot finish.
        else await turns.end(turn, "failed", { error: `${device.name} restarted while this turn was running; send the prompt again to continue the conversation.` });
      }
    }
    bus.publish({ type: "device.online", device, ...(hello.limits ? { limits: hello.limits } : {}) });
    if (this.droppedWhileBusy.delete(device.id)) bus.publish({ type: "device.back", device, chats: await turns.runningChats(device.id) });
    return sessions.filter((s) => s.lastSeq >= 0).map((s) => ({ sessionId: s.id, seq: s.lastSeq }));
  }

  /**
   * After the welcome (which carries what `connected` returned): conversations closed while the
   * machine was away, which its hello says it still holds (a claude, a worktree), are closed there
   * now; then the prompts that waited for the machine go out.
   */
  async ready(device: Device, hello?: Hello): Promise<void> {
    const { store, hub, turns } = this.deps;
    for (const s of hello?.sessions ?? []) {
      const stored = await store.session(s.sessionId);
      if (stored?.deviceId === device.id && stored.closedAt !== null) hub.send(device.id, { type: "session.close", sessionId: s.sessionId });
    }
    for (const session of await store.openSessionsOfDevice(device.id)) await turns.pump(session.id);
  }

  /** The device's link dropped: its pending approvals are denied (the agent denies them too). */
  async disconnected(device: Device): Promise<void> {
    await this.deps.approvals.deviceGone(device.id, device.name);
    this.deps.bus.publish({ type: "device.offline", device });
    const chats = await this.deps.turns.runningChats(device.id);
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
  async revoke(device: Device): Promise<void> {
    const { store, hub, clock, turns } = this.deps;
    await this.deps.approvals.deviceGone(device.id, device.name);
    for (const session of await store.openSessionsOfDevice(device.id)) {
      for (const turn of await store.turnsOfSession(session.id, ["queued", "running"])) await turns.end(turn, "failed", { error: `${device.name} was revoked.` });
      await store.closeSession(session.id, clock.now());
    }
    await store.deleteDevice(device.id);
    hub.disconnect(device.id, CloseCode.unauthorized, "this device was revoked");
    this.deps.bus.publish({ type: "device.revoked", device });
  }

  /** Stores one numbered event (dropping duplicates), publishes it and returns the seq to acknowledge. */
  event(deviceId: string, frame: EventFrame): Promise<{ ack: number } | { error: string }> {
    // A session's events are stored and published one after another, in the order they came.
    return this.inOrder.run(frame.sessionId, () => this.store(deviceId, frame));
  }

  private async store(deviceId: string, frame: EventFrame): Promise<{ ack: number } | { error: string }> {
    const { store, log, bus } = this.deps;
    const session = await store.session(frame.sessionId);
    if (!session || session.deviceId !== deviceId) return { error: `unknown session ${frame.sessionId}` };
    if (frame.seq <= session.lastSeq) return { ack: session.lastSeq };
    if (frame.seq !== session.lastSeq + 1) log.warn(`session ${session.id}: events ${session.lastSeq + 1}..${frame.seq - 1} never arrived`);
    const event = frame.event;
    const turnId = "turnId" in event ? event.turnId : undefined;
    const turn = turnId ? await store.turn(turnId) : undefined;
    if (turnId && (!turn || turn.sessionId !== session.id)) {
      await store.setLastSeq(session.id, frame.seq);
      return { error: `unknown turn ${turnId}` };
    }
    const offset = await this.record(session, turn, event);
    await store.setLastSeq(session.id, frame.seq);
    if (turn) {
      if (event.kind === "turn.ended") bus.publish({ type: "turn.ended", turn, status: event.status, end: event });
      else bus.publish({ type: "turn.output", turn, output: event, ...(offset !== undefined ? { offset } : {}) });
    }
    if (turn && event.kind === "approval.request") {
      const device = await store.device(deviceId);
      if (device) await this.deps.approvals.request(session, turn, device, event);
    }
    if (event.kind === "approval.closed") await this.deps.approvals.closed(session, event);
    else if (event.kind === "notice") bus.publish({ type: "session.notice", session, level: event.level, text: event.text });
    if (event.kind === "turn.ended") await this.deps.turns.pump(session.id);
    return { ack: frame.seq };
  }

  /** Where the piece goes in the stored answer; undefined when it does not fit (not stored). */
  private async roomFor(turnId: string, chars: number): Promise<number | undefined> {
    const stored = this.storedChars.get(turnId) ?? (await this.deps.store.turnText(turnId)).length;
    if (stored + chars > STORED_TEXT_CEILING) {
      this.storedChars.set(turnId, stored);
      return undefined;
    }
    this.storedChars.set(turnId, stored + chars);
    return stored;
  }

  /** Stores what the event changes; for answer text, returns where it went in the stored answer. */
  private async record(session: Session, turn: Turn | undefined, event: SessionEvent): Promise<number | undefined> {
    const { store, clock } = this.deps;
    switch (event.kind) {
      case "init":
        if (event.claudeSessionId !== session.claudeSessionId) await store.setClaudeSession(session.id, event.claudeSessionId);
        return;
      case "text": {
        const at = turn && (await this.roomFor(turn.id, event.text.length));
        if (turn && at !== undefined) await store.appendTurnText(turn.id, event.text);
        return at;
      }
      case "tool": {
        // Text after a tool call is a new paragraph (the tool itself shows in the tool section).
        const at = turn && (await this.roomFor(turn.id, TOOL_BREAK.length));
        if (turn && at !== undefined) await store.appendTurnText(turn.id, TOOL_BREAK);
        return at;
      }
      case "turn.ended":
        if (turn) this.storedChars.delete(turn.id);
        if (turn) await store.setTurnStatus(turn.id, event.status, clock.now());
        if (turn && event.files?.length) await store.setTurnFiles(turn.id, JSON.stringify(event.files));
        if (event.costUsd) await store.addSessionCost(session.id, event.costUsd);
        if (event.claudeSessionId && event.claudeSessionId !== session.claudeSessionId) await store.setClaudeSession(session.id, event.claudeSessionId);
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
