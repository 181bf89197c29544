import type { Clock } from "../../clock";
import { modeWithin } from "../../proto";
import type { Bus } from "../bus/types";
import { shortId } from "../secrets";
import type { Device, Session, Store, StoredAttachment, Turn } from "../store/types";
import type { Approvals } from "./approvals";
import type { CoreEvent, TurnEnd } from "./events";
import type { Hub } from "./hub";
import type { MachineLimits } from "./machine-limits";

export type TurnsDeps = { store: Store; hub: Hub; bus: Bus<CoreEvent>; clock: Clock; approvals: Approvals; limits: MachineLimits };

/**
 * Prompts become turns on a chat's conversation (session) with a machine; one turn of a session
 * runs at a time and the rest wait in order. Every change is stored first, then published.
 */
export class Turns {
  constructor(private readonly deps: TurnsDeps) {}

  /**
   * Queues a prompt for the chat's conversation with this device (`sessionId`'s when it is one of
   * them, as in a conversation's own topic; else the selected one) and runs it when it can.
   */
  submit(chatId: number, device: Device, text: string, { attachments = [], origin = "chat", sessionId }: { attachments?: readonly StoredAttachment[]; origin?: Turn["origin"]; sessionId?: string } = {}): Turn {
    const { store, clock, hub } = this.deps;
    // One unit from the prompt to the turn that runs (a savepoint in the batch the store commits at the end of this turn of the loop).
    const { turn, waiting, next, session } = store.transaction(() => {
      const session = this.session(chatId, device.id, sessionId);
      const turn: Turn = { id: shortId(), sessionId: session.id, chatId, prompt: text, status: "queued", text: "", messageIds: "[]", tools: "[]", attachments: JSON.stringify(attachments), files: "[]", origin, createdAt: clock.now(), endedAt: null };
      store.addTurn(turn);
      const waiting = !hub.online(device.id)
        ? `${device.name} is offline; this prompt runs as soon as it reconnects`
        : store.turnsOfSession(session.id, ["running"]).length > 0 ? "it runs after the current turn" : undefined;
      return { turn, waiting, next: this.claimNext(session), session };
    });
    this.deps.bus.publish({ type: "turn.created", turn, device, ...(waiting ? { waiting } : {}) });
    if (next) this.start(session, next);
    return turn;
  }

  /** /stop: interrupts the running turn and cancels waiting ones. Returns what was stopped. */
  stop(chatId: number, deviceId: string, sessionId?: string): { interrupted: boolean; cancelled: number } {
    const session = this.openOf(chatId, deviceId, sessionId) ?? this.deps.store.openSession(chatId, deviceId);
    return session ? this.stopSession(session) : { interrupted: false, cancelled: 0 };
  }

  /** Stop for one running turn (a button on it): like /stop for the conversation that runs it, selected or not. */
  stopTurn(turnId: string, chatId: number): boolean {
    const turn = this.deps.store.turn(turnId);
    const session = turn && this.deps.store.session(turn.sessionId);
    if (!turn || !session || turn.chatId !== chatId || turn.status !== "running") return false;
    return this.stopSession(session).interrupted;
  }

  private stopSession(session: Session): { interrupted: boolean; cancelled: number } {
    const { store, hub } = this.deps;
    const cancelled = this.cancelQueued(session);
    const running = store.turnsOfSession(session.id, ["running"]);
    const interrupted = running.length > 0 && hub.send(session.deviceId, { type: "stop", sessionId: session.id });
    return { interrupted, cancelled };
  }

  /** Cancels one waiting turn. */
  cancel(turnId: string): boolean {
    const turn = this.deps.store.turn(turnId);
    if (!turn || turn.status !== "queued") return false;
    this.end(turn, "stopped", {});
    return true;
  }

  /**
   * /new: opens a fresh conversation in the same folder and mode (or in `cwd`) and selects it; the
   * previous one is kept as it is (a turn running there goes on) and /sessions switches back.
   * `select: false` leaves the selection alone (a conversation with a topic of its own); `from`:
   * the conversation whose folder and mode it takes, when not the selected one; `worktree`: its
   * claude runs in a git worktree of its own (/new worktree).
   */
  newSession(chatId: number, deviceId: string, cwd?: string, { select = true, from, worktree = false }: { select?: boolean; from?: string; worktree?: boolean } = {}): Session {
    const selected = this.deps.store.openSession(chatId, deviceId);
    const current = this.openOf(chatId, deviceId, from) ?? selected;
    return this.deps.store.transaction(() => {
      // Without a stored choice the newest conversation counts as selected: the choice is pinned first.
      if (!select && selected) this.deps.store.selectSession(chatId, deviceId, selected.id);
      const session = this.openSession(chatId, deviceId, cwd ?? current?.cwd ?? null, current?.mode ?? "default", worktree);
      if (select) this.deps.store.selectSession(chatId, deviceId, session.id);
      return session;
    });
  }

  /**
   * /close: ends the chat's conversation with the device (its current one, or number `number`).
   * A running turn is never dropped: refused until it is stopped. Waiting prompts end as stopped,
   * the machine ends its claude (told on its next hello when offline now), and the chat's prompts
   * go to its newest open conversation.
   */
  close(chatId: number, deviceId: string, number?: number): CloseResult {
    const { store, hub, clock } = this.deps;
    const session = number === undefined ? store.openSession(chatId, deviceId) : store.sessionsOf(chatId, deviceId).find((s) => s.number === number);
    if (!session) return { kind: "missing" };
    if (store.turnsOfSession(session.id, ["running"]).length > 0) return { kind: "running", session };
    const cancelled = this.cancelQueued(session);
    store.closeSession(session.id, clock.now());
    hub.send(session.deviceId, { type: "session.close", sessionId: session.id });
    const next = store.openSession(chatId, deviceId);
    return { kind: "closed", session, cancelled, ...(next ? { next } : {}) };
  }

  /** /sessions: plain prompts of the chat go to this open session of the device; undefined when it is not one. */
  select(chatId: number, deviceId: string, sessionId: string): Session | undefined {
    const session = this.deps.store.session(sessionId);
    if (!session || session.chatId !== chatId || session.deviceId !== deviceId || session.closedAt) return undefined;
    this.deps.store.selectSession(chatId, deviceId, session.id);
    return session;
  }

  /** The chat's conversation with the device: `sessionId`'s when it is an open one of theirs, else the selected one, opened on first use. */
  session(chatId: number, deviceId: string, sessionId?: string): Session {
    return this.openOf(chatId, deviceId, sessionId) ?? this.deps.store.openSession(chatId, deviceId) ?? this.openSession(chatId, deviceId);
  }

  private openOf(chatId: number, deviceId: string, sessionId: string | undefined): Session | undefined {
    const session = sessionId ? this.deps.store.session(sessionId) : undefined;
    return session && session.chatId === chatId && session.deviceId === deviceId && !session.closedAt ? session : undefined;
  }

  /**
   * /cd: the next prompts run in `cwd`, in a fresh conversation (claude keeps sessions per folder).
   * From a conversation with its own topic (`from`), the topic moves to the fresh one and the
   * chat's selection stays as it is.
   */
  changeDir(chatId: number, deviceId: string, cwd: string, from?: string): Session {
    const old = this.openOf(chatId, deviceId, from);
    if (old?.threadId == null) return this.newSession(chatId, deviceId, cwd);
    const threadId = old.threadId;
    return this.deps.store.transaction(() => {
      const session = this.newSession(chatId, deviceId, cwd, { select: false, from: old.id });
      this.deps.store.setSessionTopic(old.id, null);
      this.deps.store.setSessionTopic(session.id, threadId);
      return { ...session, threadId };
    });
  }

  /**
   * /desk: the chat's next prompt continues a claude session started elsewhere (a terminal): a
   * fresh conversation in that session's folder that the machine starts with `--resume`.
   */
  continueClaude(chatId: number, deviceId: string, cwd: string, claudeSessionId: string): void {
    this.deps.store.setClaudeSession(this.newSession(chatId, deviceId, cwd).id, claudeSessionId);
  }

  /** /mode: stored for the conversation and sent to the machine, which checks it against its cap. */
  setMode(chatId: number, deviceId: string, mode: Session["mode"], sessionId?: string): "sent" | "offline" | "refused" {
    const max = this.deps.limits.of(deviceId)?.maxMode;
    if (max && !modeWithin(mode, max)) return "refused";
    const session = this.session(chatId, deviceId, sessionId);
    this.deps.store.setSessionMode(session.id, mode);
    return this.deps.hub.send(deviceId, { type: "session.mode", sessionId: session.id, mode }) ? "sent" : "offline";
  }

  /** A turn of this device runs now. */
  busy(deviceId: string): boolean {
    const { store } = this.deps;
    return store.openSessionsOfDevice(deviceId).some((s) => store.turnsOfSession(s.id, ["running"]).length > 0);
  }

  /** Chats in which a turn of this device runs. */
  runningChats(deviceId: string): number[] {
    const { store } = this.deps;
    return [...new Set(store.openSessionsOfDevice(deviceId).flatMap((s) => store.turnsOfSession(s.id, ["running"]).map((t) => t.chatId)))];
  }

  /** Starts the session's next waiting turn when nothing runs and its machine is online. */
  pump(sessionId: string): void {
    const session = this.deps.store.session(sessionId);
    const next = session && this.claimNext(session);
    if (session && next) this.start(session, next);
  }

  /** Marks the session's next waiting turn running, if it may run now; the caller then starts it. */
  private claimNext(session: Session): Turn | undefined {
    const { store, hub } = this.deps;
    if (session.closedAt || !hub.online(session.deviceId)) return undefined;
    if (store.turnsOfSession(session.id, ["running"]).length > 0) return undefined;
    const next = store.turnsOfSession(session.id, ["queued"])[0];
    if (next) store.setTurnStatus(next.id, "running");
    return next;
  }

  /**
   * An attachment of a turn that runs on this device now: what its agent may download. Anything
   * else (another device's turn, a finished one, an unknown id) is undefined, alike.
   */
  attachment(deviceId: string, turnId: string, attachmentId: string): StoredAttachment | undefined {
    const { store } = this.deps;
    const turn = store.turn(turnId);
    if (!turn || turn.status !== "running" || store.session(turn.sessionId)?.deviceId !== deviceId) return undefined;
    return attachmentsOf(turn).find((a) => a.id === attachmentId);
  }

  /** Tells the surfaces and sends the prompt to the machine (after the store says it runs). */
  private start(session: Session, turn: Turn): void {
    const attachments = attachmentsOf(turn).map(({ source: _, ...a }) => a);
    this.deps.bus.publish({ type: "turn.started", turn });
    this.deps.hub.send(session.deviceId, {
      type: "prompt",
      sessionId: session.id,
      turnId: turn.id,
      text: turn.prompt,
      mode: session.mode,
      ...(session.cwd ? { cwd: session.cwd } : {}),
      ...(session.claudeSessionId ? { resume: session.claudeSessionId } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(session.worktree ? { worktree: true } : {}),
    });
  }

  /** Ends a turn on the relay's own account (cancelled, the machine restarted or was revoked). */
  end(turn: Turn, status: "stopped" | "failed", end: TurnEnd): void {
    this.deps.store.setTurnStatus(turn.id, status, this.deps.clock.now());
    this.deps.bus.publish({ type: "turn.ended", turn, status, end });
  }

  private cancelQueued(session: Session): number {
    const queued = this.deps.store.turnsOfSession(session.id, ["queued"]);
    for (const turn of queued) this.end(turn, "stopped", {});
    return queued.length;
  }

  private openSession(chatId: number, deviceId: string, cwd: string | null = null, mode: Session["mode"] = "default", worktree = false): Session {
    const { store, clock } = this.deps;
    const session: Session = { id: shortId(), deviceId, chatId, claudeSessionId: null, cwd, mode, lastSeq: -1, number: store.nextSessionNumber(chatId, deviceId), costUsd: 0, worktree, threadId: null, createdAt: clock.now(), closedAt: null };
    store.addSession(session);
    return session;
  }
}

/** What /close did: nothing to close, refused (a turn runs), or closed with what prompts go to now. */
export type CloseResult =
  | { kind: "missing" }
  | { kind: "running"; session: Session }
  | { kind: "closed"; session: Session; cancelled: number; next?: Session };

/** A turn's attachments (none for turns stored before attachments existed). */
export function attachmentsOf(turn: Turn): StoredAttachment[] {
  return turn.attachments ? (JSON.parse(turn.attachments) as StoredAttachment[]) : [];
}
