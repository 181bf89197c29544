import type { Clock } from "../../clock";
import { modeWithin } from "../../proto";
import type { Bus } from "../bus/types";
import { shortId } from "../secrets";
import type { Device, Session, Store, StoredAttachment, Turn } from "../store/types";
import type { Approvals } from "./approvals";
import type { CoreEvent, TurnEnd } from "./events";
import type { Hub } from "./hub";
import { attachmentsOf } from "./attachments";
import { KeyedQueue } from "./keyed-queue";
import type { MachineLimits } from "./machine-limits";

export type TurnsDeps = { store: Store; hub: Hub; bus: Bus<CoreEvent>; clock: Clock; approvals: Approvals; limits: MachineLimits };

/**
 * Prompts become turns on a chat's conversation (session) with a machine; one turn of a session
 * runs at a time and the rest wait in order. Every change is stored first, then published.
 */
export class Turns {
  /** One step at a time per chat and machine: choosing (or opening) the conversation a prompt goes to. */
  private readonly steps = new KeyedQueue();

  constructor(private readonly deps: TurnsDeps) {}

  /**
   * Queues a prompt for the chat's conversation with this device (`sessionId`'s when it is one of
   * them, as in a conversation's own topic; else the selected one) and runs it when it can.
   */
  submit(chatId: number, device: Device, text: string, { attachments = [], origin = "chat", sessionId }: { attachments?: readonly StoredAttachment[]; origin?: Turn["origin"]; sessionId?: string } = {}): Promise<Turn> {
    const { store, clock, hub } = this.deps;
    return this.steps.run(`${chatId}:${device.id}`, async () => {
      const session = await this.conversation(chatId, device.id, sessionId);
      const turn: Turn = { id: shortId(), sessionId: session.id, chatId, prompt: text, status: "queued", text: "", messageIds: "[]", tools: "[]", attachments: JSON.stringify(attachments), files: "[]", origin, createdAt: clock.now(), endedAt: null };
      await store.addTurn(turn);
      const next = await this.claimNext(session);
      // Online and not the one claimed: another turn of the conversation runs (or waits) before it.
      const waiting = !hub.online(device.id)
        ? `${device.name} is offline; this prompt runs as soon as it reconnects`
        : next?.id !== turn.id ? "it runs after the current turn" : undefined;
      this.deps.bus.publish({ type: "turn.created", turn, device, ...(waiting ? { waiting } : {}) });
      if (next) this.start(session, next);
      return turn;
    });
  }

  /** /stop: interrupts the running turn and cancels waiting ones. Returns what was stopped. */
  async stop(chatId: number, deviceId: string, sessionId?: string): Promise<{ interrupted: boolean; cancelled: number }> {
    const session = (await this.openOf(chatId, deviceId, sessionId)) ?? (await this.deps.store.openSession(chatId, deviceId));
    return session ? this.stopSession(session) : { interrupted: false, cancelled: 0 };
  }

  /** Stop for one running turn (a button on it): like /stop for the conversation that runs it, selected or not. */
  async stopTurn(turnId: string, chatId: number): Promise<boolean> {
    const turn = await this.deps.store.turn(turnId);
    const session = turn && (await this.deps.store.session(turn.sessionId));
    if (!turn || !session || turn.chatId !== chatId || turn.status !== "running") return false;
    return (await this.stopSession(session)).interrupted;
  }

  private async stopSession(session: Session): Promise<{ interrupted: boolean; cancelled: number }> {
    const { store, hub } = this.deps;
    const cancelled = await this.cancelQueued(session);
    const running = await store.turnsOfSession(session.id, ["running"]);
    const interrupted = running.length > 0 && hub.send(session.deviceId, { type: "stop", sessionId: session.id });
    return { interrupted, cancelled };
  }

  /** Cancels one waiting turn. */
  async cancel(turnId: string): Promise<boolean> {
    const turn = await this.deps.store.turn(turnId);
    if (!turn || turn.status !== "queued") return false;
    await this.end(turn, "stopped", {});
    return true;
  }

  /**
   * /new: opens a fresh conversation in the same folder and mode (or in `cwd`) and selects it; the
   * previous one is kept as it is (a turn running there goes on) and /sessions switches back.
   * `select: false` leaves the selection alone (a conversation with a topic of its own); `from`:
   * the conversation whose folder and mode it takes, when not the selected one; `worktree`: its
   * claude runs in a git worktree of its own (/new worktree).
   */
  newSession(chatId: number, deviceId: string, cwd?: string, options: { select?: boolean; from?: string; worktree?: boolean } = {}): Promise<Session> {
    return this.steps.run(`${chatId}:${deviceId}`, () => this.openNew(chatId, deviceId, cwd, options));
  }

  private async openNew(chatId: number, deviceId: string, cwd: string | undefined, { select = true, from, worktree = false }: { select?: boolean; from?: string; worktree?: boolean }): Promise<Session> {
    const { store } = this.deps;
    const selected = await store.openSession(chatId, deviceId);
    const current = (await this.openOf(chatId, deviceId, from)) ?? selected;
    // Without a stored choice the newest conversation counts as selected: the choice is pinned first.
    if (!select && selected) await store.selectSession(chatId, deviceId, selected.id);
    const session = await this.openSession(chatId, deviceId, cwd ?? current?.cwd ?? null, current?.mode ?? "default", worktree);
    if (select) await store.selectSession(chatId, deviceId, session.id);
    return session;
  }

  /**
   * /close: ends the chat's conversation with the device (its current one, or number `number`).
   * A running turn is never dropped: refused until it is stopped. Waiting prompts end as stopped,
   * the machine ends its claude (told on its next hello when offline now), and the chat's prompts
   * go to its newest open conversation.
   */
  close(chatId: number, deviceId: string, number?: number): Promise<CloseResult> {
    const { store, hub, clock } = this.deps;
    return this.steps.run(`${chatId}:${deviceId}`, async () => {
      const session = number === undefined ? await store.openSession(chatId, deviceId) : (await store.sessionsOf(chatId, deviceId)).find((s) => s.number === number);
      if (!session) return { kind: "missing" };
      if ((await store.turnsOfSession(session.id, ["running"])).length > 0) return { kind: "running", session };
      const cancelled = await this.cancelQueued(session);
      await store.closeSession(session.id, clock.now());
      hub.send(session.deviceId, { type: "session.close", sessionId: session.id });
      const next = await store.openSession(chatId, deviceId);
      return { kind: "closed", session, cancelled, ...(next ? { next } : {}) };
    });
  }

  /** /sessions: plain prompts of the chat go to this open session of the device; undefined when it is not one. */
  async select(chatId: number, deviceId: string, sessionId: string): Promise<Session | undefined> {
    const session = await this.openOf(chatId, deviceId, sessionId);
    if (session) await this.deps.store.selectSession(chatId, deviceId, session.id);
    return session;
  }

  /** The chat's conversation with the device: `sessionId`'s when it is an open one of theirs, else the selected one, opened on first use. */
  session(chatId: number, deviceId: string, sessionId?: string): Promise<Session> {
    return this.steps.run(`${chatId}:${deviceId}`, () => this.conversation(chatId, deviceId, sessionId));
  }

  private async conversation(chatId: number, deviceId: string, sessionId?: string): Promise<Session> {
    return (await this.openOf(chatId, deviceId, sessionId)) ?? (await this.deps.store.openSession(chatId, deviceId)) ?? (await this.openSession(chatId, deviceId));
  }

  private async openOf(chatId: number, deviceId: string, sessionId: string | undefined): Promise<Session | undefined> {
    const session = sessionId ? await this.deps.store.session(sessionId) : undefined;
    return session && session.chatId === chatId && session.deviceId === deviceId && !session.closedAt ? session : undefined;
  }

  /**
   * /cd: the next prompts run in `cwd`, in a fresh conversation (claude keeps sessions per folder).
   * From a conversation with its own topic (`from`), the topic moves to the fresh one and the
   * chat's selection stays as it is.
   */
  changeDir(chatId: number, deviceId: string, cwd: string, from?: string): Promise<Session> {
    const { store } = this.deps;
    return this.steps.run(`${chatId}:${deviceId}`, async () => {
      const old = await this.openOf(chatId, deviceId, from);
      if (old?.threadId == null) return this.openNew(chatId, deviceId, cwd, {});
      const threadId = old.threadId;
      const session = await this.openNew(chatId, deviceId, cwd, { select: false, from: old.id });
      await store.setSessionTopic(old.id, null);
      await store.setSessionTopic(session.id, threadId);
      return { ...session, threadId };
    });
  }

  /**
   * /desk: the chat's next prompt continues a claude session started elsewhere (a terminal): a
   * fresh conversation in that session's folder that the machine starts with `--resume`.
   */
  async continueClaude(chatId: number, deviceId: string, cwd: string, claudeSessionId: string): Promise<void> {
    await this.deps.store.setClaudeSession((await this.newSession(chatId, deviceId, cwd)).id, claudeSessionId);
  }

  /** /mode: stored for the conversation and sent to the machine, which checks it against its cap. */
  async setMode(chatId: number, deviceId: string, mode: Session["mode"], sessionId?: string): Promise<"sent" | "offline" | "refused"> {
    const max = this.deps.limits.of(deviceId)?.maxMode;
    if (max && !modeWithin(mode, max)) return "refused";
    const session = await this.session(chatId, deviceId, sessionId);
    await this.deps.store.setSessionMode(session.id, mode);
    return this.deps.hub.send(deviceId, { type: "session.mode", sessionId: session.id, mode }) ? "sent" : "offline";
  }

  /** The turns of this device that run now. */
  async running(deviceId: string): Promise<Turn[]> {
    const { store } = this.deps;
    const sessions = await store.openSessionsOfDevice(deviceId);
    return (await Promise.all(sessions.map((s) => store.turnsOfSession(s.id, ["running"])))).flat();
  }

  /** A turn of this device runs now. */
  async busy(deviceId: string): Promise<boolean> {
    return (await this.running(deviceId)).length > 0;
  }

  /** Chats in which a turn of this device runs. */
  async runningChats(deviceId: string): Promise<number[]> {
    return [...new Set((await this.running(deviceId)).map((t) => t.chatId))];
  }

  /** Starts the session's next waiting turn when nothing runs and its machine is online. */
  async pump(sessionId: string): Promise<void> {
    const session = await this.deps.store.session(sessionId);
    const next = session && (await this.claimNext(session));
    if (session && next) this.start(session, next);
  }

  /** Marks the session's next waiting turn running, if it may run now (one statement: two callers never both get it); the caller then starts it. */
  private async claimNext(session: Session): Promise<Turn | undefined> {
    if (session.closedAt || !this.deps.hub.online(session.deviceId)) return undefined;
    return this.deps.store.claimTurn(session.id);
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
  async end(turn: Turn, status: "stopped" | "failed", end: TurnEnd): Promise<void> {
    await this.deps.store.setTurnStatus(turn.id, status, this.deps.clock.now());
    this.deps.bus.publish({ type: "turn.ended", turn, status, end });
  }

  private async cancelQueued(session: Session): Promise<number> {
    const queued = await this.deps.store.turnsOfSession(session.id, ["queued"]);
    for (const turn of queued) await this.end(turn, "stopped", {});
    return queued.length;
  }

  private async openSession(chatId: number, deviceId: string, cwd: string | null = null, mode: Session["mode"] = "default", worktree = false): Promise<Session> {
    const { store, clock } = this.deps;
    const session: Session = { id: shortId(), deviceId, chatId, claudeSessionId: null, cwd, mode, lastSeq: -1, number: await store.nextSessionNumber(chatId, deviceId), costUsd: 0, worktree, threadId: null, createdAt: clock.now(), closedAt: null };
    await store.addSession(session);
    return session;
  }
}

/** What /close did: nothing to close, refused (a turn runs), or closed with what prompts go to now. */
export type CloseResult =
  | { kind: "missing" }
  | { kind: "running"; session: Session }
  | { kind: "closed"; session: Session; cancelled: number; next?: Session };
