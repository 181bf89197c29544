import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { CoreEvent, CoreEventOf } from "../core/events";
import { TOOL_BREAK } from "../core/machines";
import type { Device, Store, Turn } from "../store/types";
import { plain } from "../format";
import { DraftMessage, type DraftRegistry } from "./drafts";
import { LiveMessage } from "./live-message";
import type { Messenger } from "./messenger";
import { parseTools } from "./tool-activity";
import type { Topics } from "./topics";
import { AnswerPieces } from "./answer-pieces";
import { TurnView } from "./turn-view";
import { TurnWatch } from "./turn-watch";
import { TypingIndicator } from "./typing";
import { sessionLabel } from "./session-label";
import type { MachineLimits } from "../core/machine-limits";

export type TurnSurfaceDeps = {
  store: Store;
  messenger: Messenger;
  clock: Clock;
  log: Log;
  maxMessages?: number;
  /** Silence after which a running turn gets a "still working?" notice (default 5 min). */
  silenceNoticeMs?: number;
  topics?: Topics;
  /** Set with --drafts: answers in private chats stream as native drafts. */
  drafts?: DraftRegistry;
  /** The machines' roots (for the folder of a session that has none of its own). */
  limits?: MachineLimits;
};

/**
 * Turns as Telegram shows them: one live message per turn (status line, answer, tools, buttons),
 * "typing…" and a silence watch while it runs, and the machine's notices in its chat and topic.
 * Rebuilt from the store when the relay restarted mid-turn.
 */
export class TurnSurface {
  private views = new Map<string, TurnView>();
  private pieces = new AnswerPieces();
  /** "typing…" and the watch (status line clock, silence notice) of each running turn, by turn id. */
  private running = new Map<string, { typing: TypingIndicator; watch: TurnWatch }>();

  constructor(private readonly deps: TurnSurfaceDeps) {}

  readonly handle = async (event: CoreEvent): Promise<void> => {
    switch (event.type) {
      case "turn.created": {
        const view = await this.view(event.turn, event.device);
        if (event.waiting) view.queued(event.waiting);
        return;
      }
      case "turn.started":
      case "turn.resumed": {
        const view = await this.viewOf(event.turn);
        if (event.type === "turn.started") view?.started();
        if (view) this.startRunning(event.turn, view);
        return;
      }
      case "turn.output":
        return this.show(event);
      case "turn.ended": {
        this.stopRunning(event.turn.id);
        const view = await this.viewOf(event.turn);
        view?.setAwaitingApproval(false);
        view?.finish(event.status, event.end);
        this.forget(event.turn.id);
        return;
      }
      case "turn.approvalsSettled":
        this.views.get(event.turnId)?.setAwaitingApproval(false);
        return;
      case "session.notice":
        // Warnings and errors ring the phone; information does not.
        void this.deps.messenger.send(event.session.chatId, plain(`${noticeMark(event.level)} ${event.text}`), { silent: event.level === "info", threadId: await this.thread(event.session.chatId, event.session.deviceId, event.session.id) });
        return;
      case "device.lost":
        for (const chatId of event.chats) {
          void this.deps.messenger.send(chatId, plain(`⚠️ ${event.device.name} lost its connection while working. The turn keeps running there; its output arrives here when ${event.device.name} is back.`), { threadId: await this.thread(chatId, event.device.id) });
        }
        return;
      case "device.back":
        for (const chatId of event.chats) void this.deps.messenger.send(chatId, plain(`✅ ${event.device.name} is back.`), { silent: true, threadId: await this.thread(chatId, event.device.id) });
        return;
      default:
        return;
    }
  };

  /** The Status button: one line about the turn, or undefined if it is not this chat's. */
  async summary(turnId: string, chatId: number): Promise<string | undefined> {
    const turn = await this.deps.store.turn(turnId);
    if (!turn || turn.chatId !== chatId) return undefined;
    const live = turn.status === "running" || turn.status === "queued";
    return (live ? (await this.viewOf(turn))?.summary() : undefined) ?? `This turn is ${turn.status}.`;
  }

  /** "Keep waiting" on a silence notice; false when the turn no longer runs. */
  async keepWaiting(turnId: string, chatId: number): Promise<boolean> {
    const turn = await this.deps.store.turn(turnId);
    const watch = turn?.chatId === chatId ? this.running.get(turnId)?.watch : undefined;
    watch?.keepWaiting();
    return watch !== undefined;
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

  /** The conversation's or device's topic in the chat (undefined without topics). */
  async thread(chatId: number, deviceId: string, sessionId?: string): Promise<number | undefined> {
    return this.deps.topics?.threadOf(chatId, deviceId, sessionId);
  }

  private async show({ turn, output, offset }: CoreEventOf<"turn.output">): Promise<void> {
    // A late replay for a turn that ended changes its message only when it carries something seen
    // (after a relay restart thousands of machines replay their last events: no view for nothing).
    if (turn.status !== "running" && turn.status !== "queued" && !SHOWN_KINDS.has(output.kind)) return;
    // Built only now: from the stored answer as it was before this piece.
    const view = await this.viewOf(turn, output.kind === "text" || output.kind === "tool" ? offset : undefined);
    if (!view) return;
    // Output of a turn that already ended (a late replay) updates its message once; the view goes after.
    if (turn.status !== "running" && turn.status !== "queued") queueMicrotask(() => this.forget(turn.id));
    // A turn the relay learns about only now (its agent said hello before) gets typing and its watch.
    if (turn.status === "running") this.startRunning(turn, view);
    const running = this.running.get(turn.id);
    running?.watch.activity();
    if (output.kind !== "init" && output.kind !== "turn.started") running?.typing.activity(); // what the owner sees
    view.setAwaitingApproval(output.kind === "approval.request");
    switch (output.kind) {
      case "text": {
        const unseen = this.pieces.unseen(turn.id, output.text, offset);
        if (unseen) view.appendMarkdown(unseen);
        return;
      }
      case "tool":
        if (this.pieces.unseen(turn.id, TOOL_BREAK, offset)) view.appendMarkdown(TOOL_BREAK);
        view.toolStarted(output);
        await this.deps.store.setTurnTools(turn.id, JSON.stringify(view.toolActivity));
        return;
      case "tool.result":
        view.toolFinished(output);
        await this.deps.store.setTurnTools(turn.id, JSON.stringify(view.toolActivity));
        return;
      case "notice":
        view.appendMarkdown(`\n\n${noticeMark(output.level)} ${output.text}\n\n`);
        return;
      default:
        return;
    }
  }

  private startRunning(turn: Turn, view: TurnView): void {
    if (this.running.has(turn.id)) return;
    const { messenger, clock } = this.deps;
    const threadId = view.threadId;
    this.running.set(turn.id, {
      // No "typing…" while claude waits for the owner's answer on a card.
      typing: new TypingIndicator(messenger, clock, turn.chatId, { threadId, wanted: () => !view.waitingForApproval }),
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

  /** The live view of a turn, rebuilt from the store when the relay restarted mid-turn. */
  private async viewOf(turn: Turn, upTo?: number): Promise<TurnView | undefined> {
    const existing = this.views.get(turn.id);
    if (existing) return existing;
    const session = await this.deps.store.session(turn.sessionId);
    const device = session && await this.deps.store.device(session.deviceId);
    if (!device) return undefined;
    return this.views.get(turn.id) ?? this.view(turn, device, upTo);
  }

  /** `upTo`: how much of the stored answer the view starts with (all of it by default). */
  private async view(turn: Turn, device: Device, upTo?: number): Promise<TurnView> {
    const session = await this.deps.store.session(turn.sessionId);
    const threadId = session ? await this.thread(turn.chatId, session.deviceId, session.id) : undefined;
    const onMessages = (ids: number[]) => void this.deps.store.setTurnMessages(turn.id, ids);
    const stored = await this.deps.store.turnText(turn.id);
    const answer = upTo === undefined ? stored : stored.slice(0, upTo);
    this.pieces.start(turn.id, answer.length);
    const { messenger, drafts, log } = this.deps;
    const live = drafts && turn.chatId > 0 ? new DraftMessage(messenger, turn.chatId, onMessages, threadId, turn.id, drafts, log) : new LiveMessage(messenger, turn.chatId, onMessages, threadId);
    live.adopt(JSON.parse(turn.messageIds) as number[]);
    const view = new TurnView({
      turnId: turn.id,
      deviceName: device.name,
      live,
      now: () => this.deps.clock.now(),
      answer,
      status: turn.status,
      tools: parseTools(turn.tools),
      maxMessages: this.deps.maxMessages,
      startedAt: turn.createdAt,
      ...(session ? { sessionLabel: sessionLabel(session, this.deps.limits?.of(session.deviceId)?.roots) } : {}),
    });
    this.views.set(turn.id, view);
    return view;
  }

  /** Keeps the finished view until Telegram shows it, then drops it (its messages are stored). */
  private forget(turnId: string): void {
    const view = this.views.get(turnId);
    if (!view) return;
    void view.settled().then(() => {
      if (this.views.get(turnId) !== view || !view.finished) return;
      this.views.delete(turnId);
      this.pieces.forget(turnId);
    });
  }
}

/** The outputs that change what a turn's message shows. */
const SHOWN_KINDS = new Set<string>(["text", "tool", "tool.result", "notice"]);

const noticeMark = (level: "info" | "warn" | "error") => (level === "info" ? "ℹ️" : level === "warn" ? "⚠️" : "❗");
