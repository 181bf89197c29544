import type { Clock } from "../clock";
import type { Log } from "../log";
import { CloseCode, modeWithin, type EventFrame, type Hello, type SessionEvent } from "../proto";
import type { z } from "zod";
import type { Approvals } from "./approvals";
import type { Device, Repo, Session, Turn } from "./db/repo";
import type { Hub } from "./hub";
import { shortId } from "./secrets";
import { plain } from "./format";
import type { Messenger } from "./telegram/messenger";
import { parseTools } from "./telegram/tool-activity";
import { TurnView } from "./telegram/turn-view";
import { DraftMessage, type DraftRegistry } from "./telegram/drafts";
import type { Topics } from "./telegram/topics";
import { TurnWatch } from "./telegram/turn-watch";
import { TypingIndicator } from "./telegram/typing";

export type ConversationsDeps = {
  repo: Repo;
  hub: Hub;
  messenger: Messenger;
  approvals: Approvals;
  clock: Clock;
  log: Log;
  maxMessages?: number;
  /** Silence after which a running turn gets a "still working?" notice (default 5 min). */
  silenceNoticeMs?: number;
  /** One topic per device, when the bot has topics on. */
  topics?: Topics;
  /** Set with --drafts: answers in private chats stream as native drafts. */
  drafts?: DraftRegistry;
};

type EventFrameT = z.infer<typeof EventFrame>;
type HelloT = z.infer<typeof Hello>;

/**
 * The heart of the relay: prompts from chats become turns on a device's session; events from the
 * agent (numbered per session) are stored exactly once, in order, and shown in the chat.
 */
export class Conversations {
  private views = new Map<string, TurnView>();
  /** Machines that dropped with a turn running: the owner hears when they are back. */
  private droppedWhileBusy = new Set<string>();
  /** What each connected machine allows (from its hello). */
  private limits = new Map<string, NonNullable<HelloT["limits"]>>();
  /** "typing…" and the watch (status line clock, silence notice) of each running turn, by turn id. */
  private running = new Map<string, { typing: TypingIndicator; watch: TurnWatch }>();

  constructor(private readonly deps: ConversationsDeps) {}

  /** Queues a prompt for the chat's conversation with this device and runs it when it can. */
  async submit(chatId: number, device: Device, text: string): Promise<void> {
    // With topics on, the device's topic exists before anything is written for the turn.
    await this.deps.topics?.ensure(chatId, device);
    const { repo, clock, hub } = this.deps;
    const session = this.session(chatId, device.id);
    const turn: Turn = {
      id: shortId(),
      sessionId: session.id,
      chatId,
      prompt: text,
      status: "queued",
      text: "",
      messageIds: "[]",
      tools: "[]",
      createdAt: clock.now(),
      endedAt: null,
    };
    repo.addTurn(turn);
    const view = this.view(turn, device);
    if (!hub.online(device.id)) view.queued(`${device.name} is offline; this prompt runs as soon as it reconnects`);
    else if (repo.turnsOfSession(session.id, ["running"]).length > 0) view.queued("it runs after the current turn");
    this.pump(session.id);
  }

  /** /stop: interrupts the running turn and cancels waiting ones. Returns what was stopped. */
  stop(chatId: number, deviceId: string): { interrupted: boolean; cancelled: number } {
    const { repo, hub } = this.deps;
    const session = repo.openSession(chatId, deviceId);
    if (!session) return { interrupted: false, cancelled: 0 };
    const cancelled = this.cancelQueued(session);
    const running = repo.turnsOfSession(session.id, ["running"]);
    const interrupted = running.length > 0 && hub.send(deviceId, { type: "stop", sessionId: session.id });
    return { interrupted, cancelled };
  }

  /** A draft's Stop button: like /stop for the conversation that runs this turn. */
  stopTurn(turnId: string, chatId: number): boolean {
    const turn = this.deps.repo.turn(turnId);
    const session = turn && this.deps.repo.session(turn.sessionId);
    if (!turn || !session || turn.chatId !== chatId || turn.status !== "running") return false;
    return this.stop(chatId, session.deviceId).interrupted;
  }

  /** Cancels one waiting turn (its Cancel button). */
  cancel(turnId: string): boolean {
    const { repo } = this.deps;
    const turn = repo.turn(turnId);
    if (!turn || turn.status !== "queued") return false;
    this.endTurn(turn, "stopped", { error: undefined });
    return true;
  }

  /** /new: ends the current conversation with the device; the next prompt starts a fresh one in the same folder and mode. */
  reset(chatId: number, deviceId: string, cwd?: string): boolean {
    const { repo, hub, clock } = this.deps;
    const session = repo.openSession(chatId, deviceId);
    if (session) {
      this.cancelQueued(session);
      repo.closeSession(session.id, clock.now());
      this.deps.approvals.sessionEnded(session.id);
      hub.send(deviceId, { type: "session.close", sessionId: session.id });
    }
    this.openSession(chatId, deviceId, cwd ?? session?.cwd ?? null, session?.mode ?? "default");
    return session !== undefined;
  }

  /** The chat's open conversation with the device, opened on first use. */
  session(chatId: number, deviceId: string): Session {
    return this.deps.repo.openSession(chatId, deviceId) ?? this.openSession(chatId, deviceId);
  }

  /** /cd: the next prompts run in `cwd`, in a fresh conversation (claude keeps sessions per folder). */
  changeDir(chatId: number, deviceId: string, cwd: string): void {
    this.reset(chatId, deviceId, cwd);
  }

  /** /mode: stored for the conversation and sent to the machine, which checks it against its cap. */
  setMode(chatId: number, deviceId: string, mode: Session["mode"]): "sent" | "offline" | "refused" {
    const max = this.limits.get(deviceId)?.maxMode;
    if (max && !modeWithin(mode, max)) return "refused";
    const session = this.session(chatId, deviceId);
    this.deps.repo.setSessionMode(session.id, mode);
    return this.deps.hub.send(deviceId, { type: "session.mode", sessionId: session.id, mode }) ? "sent" : "offline";
  }

  limitsOf(deviceId: string): HelloT["limits"] {
    return this.limits.get(deviceId);
  }

  busy(deviceId: string): boolean {
    const { repo } = this.deps;
    return repo.openSessionsOfDevice(deviceId).some((s) => repo.turnsOfSession(s.id, ["running"]).length > 0);
  }

  /** An agent said hello: tell it what is stored, then deliver whatever waited for it. */
  connected(device: Device, hello: HelloT): { sessionId: string; seq: number }[] {
    const { repo } = this.deps;
    if (hello.limits) this.limits.set(device.id, hello.limits);
    const alive = new Set(hello.sessions.map((s) => s.sessionId));
    const sessions = repo.openSessionsOfDevice(device.id);
    for (const session of sessions) {
      for (const turn of repo.turnsOfSession(session.id, ["running"])) {
        if (alive.has(session.id)) {
          // Still running there (maybe across a relay restart): typing and the status line go on now.
          const view = this.viewOf(turn);
          if (view) this.startRunning(turn, view);
          continue;
        }
        // The agent no longer has this conversation's process: the turn cannot finish.
        this.endTurn(turn, "failed", { error: `${device.name} restarted while this turn was running; send the prompt again to continue the conversation.` });
      }
    }
    if (this.droppedWhileBusy.delete(device.id)) {
      for (const chatId of this.runningChats(device.id)) void this.deps.messenger.send(chatId, plain(`✅ ${device.name} is back.`), { silent: true, threadId: this.thread(chatId, device.id) });
    }
    queueMicrotask(() => sessions.forEach((s) => this.pump(s.id)));
    return sessions.filter((s) => s.lastSeq >= 0).map((s) => ({ sessionId: s.id, seq: s.lastSeq }));
  }

  /** /revoke: everything of the device ends now and its token stops working within a second. */
  revoke(device: Device): void {
    const { repo, hub, clock } = this.deps;
    this.deps.approvals.deviceGone(device.id, device.name);
    for (const session of repo.openSessionsOfDevice(device.id)) {
      for (const turn of repo.turnsOfSession(session.id, ["queued", "running"])) this.endTurn(turn, "failed", { error: `${device.name} was revoked.` });
      repo.closeSession(session.id, clock.now());
    }
    repo.deleteDevice(device.id);
    hub.disconnect(device.id, CloseCode.unauthorized, "this device was revoked");
  }

  /** The device's link dropped: its pending approvals are denied (the agent denies them too). */
  disconnected(device: Device): void {
    this.deps.approvals.deviceGone(device.id, device.name);
    const chats = this.runningChats(device.id);
    if (chats.size === 0) return;
    this.droppedWhileBusy.add(device.id);
    for (const chatId of chats) {
      void this.deps.messenger.send(chatId, plain(`⚠️ ${device.name} lost its connection while working. The turn keeps running there; its output arrives here when ${device.name} is back.`), { threadId: this.thread(chatId, device.id) });
    }
  }

  private runningChats(deviceId: string): Set<number> {
    const { repo } = this.deps;
    return new Set(repo.openSessionsOfDevice(deviceId).flatMap((s) => repo.turnsOfSession(s.id, ["running"]).map((t) => t.chatId)));
  }

  /** Stores one numbered event (dropping duplicates) and returns the seq to acknowledge. */
  event(deviceId: string, frame: EventFrameT): { ack: number } | { error: string } {
    const { repo, log } = this.deps;
    const session = repo.session(frame.sessionId);
    if (!session || session.deviceId !== deviceId) return { error: `unknown session ${frame.sessionId}` };
    if (frame.seq <= session.lastSeq) return { ack: session.lastSeq };
    if (frame.seq !== session.lastSeq + 1) log.warn(`session ${session.id}: events ${session.lastSeq + 1}..${frame.seq - 1} never arrived`);
    const turnId = "turnId" in frame.event ? frame.event.turnId : undefined;
    const turn = turnId ? repo.turn(turnId) : undefined;
    if (turnId && (!turn || turn.sessionId !== session.id)) {
      repo.setLastSeq(session.id, frame.seq);
      return { error: `unknown turn ${turnId}` };
    }
    repo.transaction(() => {
      this.store(session, turn, frame.event);
      repo.setLastSeq(session.id, frame.seq);
    });
    if (turn) this.show(turn, frame.event);
    if (turn && frame.event.kind === "approval.request") {
      const device = repo.device(deviceId);
      if (device) void this.deps.approvals.request(session, turn, device, frame.event);
    }
    if (frame.event.kind === "approval.closed") this.deps.approvals.closed(session, frame.event);
    // Warnings and errors ring the phone; information does not.
    else if (frame.event.kind === "notice") void this.deps.messenger.send(session.chatId, { text: `${noticeMark(frame.event.level)} ${frame.event.text}`, entities: [] }, { silent: frame.event.level === "info", threadId: this.thread(session.chatId, session.deviceId) });
    if (frame.event.kind === "turn.ended") this.pump(session.id);
    return { ack: frame.seq };
  }

  /** Resolves when every open turn view shows its latest state (used by shutdown and tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.views.values()].map((v) => v.settled()));
  }

  /** Ends every timer (typing, watches) so the relay can shut down at once. */
  close(): void {
    for (const { typing, watch } of this.running.values()) {
      typing.stop();
      watch.stop();
    }
    this.running.clear();
  }

  /** The Status button: one line about the turn, or undefined if it is not this chat's. */
  turnSummary(turnId: string, chatId: number): string | undefined {
    const turn = this.deps.repo.turn(turnId);
    if (!turn || turn.chatId !== chatId) return undefined;
    const live = turn.status === "running" || turn.status === "queued";
    return (live ? this.viewOf(turn)?.summary() : undefined) ?? `This turn is ${turn.status}.`;
  }

  /** "Keep waiting" on a silence notice; false when the turn no longer runs. */
  keepWaiting(turnId: string, chatId: number): boolean {
    const turn = this.deps.repo.turn(turnId);
    const watch = turn?.chatId === chatId ? this.running.get(turnId)?.watch : undefined;
    watch?.keepWaiting();
    return watch !== undefined;
  }

  /** The device's topic in the chat (undefined without topics). */
  thread(chatId: number, deviceId: string): number | undefined {
    return this.deps.topics?.threadOf(chatId, deviceId);
  }

  private startRunning(turn: Turn, view: TurnView): void {
    if (this.running.has(turn.id)) return;
    const { messenger, clock } = this.deps;
    const threadId = view.threadId;
    this.running.set(turn.id, {
      typing: new TypingIndicator(messenger, clock, turn.chatId, threadId),
      watch: new TurnWatch({ messenger, clock, chatId: turn.chatId, threadId, turnId: turn.id, view, silenceMs: this.deps.silenceNoticeMs }),
    });
  }

  private stopRunning(turnId: string): void {
    const entry = this.running.get(turnId);
    if (!entry) return;
    entry.typing.stop();
    entry.watch.stop();
    this.running.delete(turnId);
  }

  private openSession(chatId: number, deviceId: string, cwd: string | null = null, mode: Session["mode"] = "default"): Session {
    const session: Session = { id: shortId(), deviceId, chatId, claudeSessionId: null, cwd, mode, lastSeq: -1, createdAt: this.deps.clock.now(), closedAt: null };
    this.deps.repo.addSession(session);
    return session;
  }

  private pump(sessionId: string): void {
    const { repo, hub } = this.deps;
    const session = repo.session(sessionId);
    if (!session || session.closedAt || !hub.online(session.deviceId)) return;
    if (repo.turnsOfSession(session.id, ["running"]).length > 0) return;
    const next = repo.turnsOfSession(session.id, ["queued"])[0];
    if (!next) return;
    repo.setTurnStatus(next.id, "running");
    const view = this.viewOf(next);
    view?.started();
    if (view) this.startRunning(next, view);
    hub.send(session.deviceId, {
      type: "prompt",
      sessionId: session.id,
      turnId: next.id,
      text: next.prompt,
      mode: session.mode,
      ...(session.cwd ? { cwd: session.cwd } : {}),
      ...(session.claudeSessionId ? { resume: session.claudeSessionId } : {}),
    });
  }

  private cancelQueued(session: Session): number {
    const queued = this.deps.repo.turnsOfSession(session.id, ["queued"]);
    for (const turn of queued) this.endTurn(turn, "stopped", {});
    return queued.length;
  }

  private endTurn(turn: Turn, status: "stopped" | "failed", end: { error?: string }): void {
    this.deps.repo.setTurnStatus(turn.id, status, this.deps.clock.now());
    this.stopRunning(turn.id);
    this.viewOf(turn)?.finish(status, end);
    this.forget(turn.id);
  }

  private store(session: Session, turn: Turn | undefined, event: SessionEvent): void {
    const { repo, clock } = this.deps;
    switch (event.kind) {
      case "init":
        if (event.claudeSessionId !== session.claudeSessionId) repo.setClaudeSession(session.id, event.claudeSessionId);
        return;
      case "text":
        if (turn) repo.appendTurnText(turn.id, event.text);
        return;
      case "tool":
        // Text after a tool call is a new paragraph (the tool itself shows in the tool section).
        if (turn) repo.appendTurnText(turn.id, TOOL_BREAK);
        return;
      case "turn.ended":
        if (turn) repo.setTurnStatus(turn.id, event.status === "done" ? "done" : event.status, clock.now());
        if (event.claudeSessionId && event.claudeSessionId !== session.claudeSessionId) repo.setClaudeSession(session.id, event.claudeSessionId);
        return;
      default:
        return;
    }
  }

  /** A card of this turn was answered: unless another still waits, the status line stops saying so. */
  approvalFinished(turnId: string): void {
    if (this.deps.repo.pendingApprovals().some((a) => a.turnId === turnId)) return;
    this.views.get(turnId)?.setAwaitingApproval(false);
  }

  private show(turn: Turn, event: SessionEvent): void {
    const view = this.viewOf(turn);
    if (!view) return;
    // A turn the relay learns about only now (its agent said hello before) gets typing and its watch.
    if (turn.status === "running" && event.kind !== "turn.ended") this.startRunning(turn, view);
    if (event.kind !== "turn.ended") this.running.get(turn.id)?.watch.activity();
    view.setAwaitingApproval(event.kind === "approval.request");
    switch (event.kind) {
      case "text":
        view.appendMarkdown(event.text);
        return;
      case "tool":
        view.appendMarkdown(TOOL_BREAK);
        view.toolStarted(event);
        this.deps.repo.setTurnTools(turn.id, JSON.stringify(view.toolActivity));
        return;
      case "tool.result":
        view.toolFinished(event);
        this.deps.repo.setTurnTools(turn.id, JSON.stringify(view.toolActivity));
        return;
      case "notice":
        view.appendMarkdown(`\n\n${noticeMark(event.level)} ${event.text}\n\n`);
        return;
      case "turn.ended":
        this.stopRunning(turn.id);
        view.finish(event.status, event);
        this.forget(turn.id);
        return;
      default:
        return;
    }
  }

  /** The live view of a turn, rebuilt from the database when the relay restarted mid-turn. */
  private viewOf(turn: Turn): TurnView | undefined {
    const existing = this.views.get(turn.id);
    if (existing) return existing;
    const session = this.deps.repo.session(turn.sessionId);
    const device = session && this.deps.repo.device(session.deviceId);
    if (!device) return undefined;
    return this.view(turn, device);
  }

  private view(turn: Turn, device: Device): TurnView {
    const session = this.deps.repo.session(turn.sessionId);
    const threadId = session ? this.thread(turn.chatId, session.deviceId) : undefined;
    const onMessages = (ids: number[]) => this.deps.repo.setTurnMessages(turn.id, ids);
    const { messenger, drafts, log } = this.deps;
    const live = drafts && turn.chatId > 0 ? new DraftMessage(messenger, turn.chatId, onMessages, threadId, turn.id, drafts, log) : messenger.live(turn.chatId, onMessages, threadId);
    live.adopt(JSON.parse(turn.messageIds) as number[]);
    const view = new TurnView({
      turnId: turn.id,
      deviceName: device.name,
      live,
      now: () => this.deps.clock.now(),
      answer: turn.text,
      status: turn.status,
      tools: parseTools(turn.tools),
      maxMessages: this.deps.maxMessages,
      startedAt: turn.createdAt,
    });
    this.views.set(turn.id, view);
    return view;
  }

  /** Keeps the finished view until Telegram shows it, then remembers its messages and drops it. */
  private forget(turnId: string): void {
    const view = this.views.get(turnId);
    if (!view) return;
    void view.settled().then(() => {
      if (this.views.get(turnId) === view && view.finished) this.views.delete(turnId);
    });
  }
}

const TOOL_BREAK = "\n\n";

const noticeMark = (level: "info" | "warn" | "error") => (level === "info" ? "ℹ️" : level === "warn" ? "⚠️" : "❗");
