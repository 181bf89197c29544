import type { Cancel, Clock } from "../../clock";
import { plain } from "../format";
import { formatSeconds } from "./tool-activity";
import { encodeCallback } from "./callback-data";
import type { Messenger } from "./messenger";

/** How often a running turn's status line is redrawn (its clocks move). */
export const REFRESH_EVERY_MS = 5000;
/** Default silence before the owner is asked whether the turn is still working. */
export const SILENCE_NOTICE_MS = 5 * 60_000;

/** The parts of a turn's view the watch needs. */
export type WatchedView = { readonly deviceName: string; readonly waitingForApproval: boolean; refresh(): void };

/**
 * Watches one running turn: redraws its status line every few seconds, and after `silenceMs`
 * without any event (and no approval waiting for the owner) sends a "still working?" notice with
 * Stop / Keep waiting. The notice is settled (buttons removed) by the next event or the turn's end.
 */
export class TurnWatch {
  /** The next redraw or silence check (a timer, not an awaited sleep: no AbortController per turn). */
  private next: Cancel | undefined;
  private stopped = false;
  private lastActivity: number;
  private notice: Promise<number | undefined> | undefined;

  constructor(
    private readonly deps: { messenger: Messenger; clock: Clock; chatId: number; threadId?: number; turnId: string; view: WatchedView; silenceMs?: number; refreshMs?: number },
  ) {
    this.lastActivity = deps.clock.now();
    this.schedule();
  }

  private get silenceMs(): number {
    return this.deps.silenceMs ?? SILENCE_NOTICE_MS;
  }

  /** The turn did something: the silence starts over, and an open notice is settled. */
  activity(): void {
    this.lastActivity = this.deps.clock.now();
    this.settleNotice(`✅ ${this.deps.view.deviceName} is working again.`);
  }

  /** "Keep waiting": ask again after another full silence. */
  keepWaiting(): void {
    this.lastActivity = this.deps.clock.now();
    this.settleNotice(`⏳ Waiting on ${this.deps.view.deviceName}; I'll ask again after ${formatSeconds(this.silenceMs / 1000)} more of silence.`);
  }

  /** The turn ended: timers stop, and an open notice says so. */
  stop(endText?: string): void {
    this.stopped = true;
    this.next?.();
    this.next = undefined;
    this.settleNotice(endText ?? `${this.deps.view.deviceName}'s turn ended.`);
  }

  get noticeOpen(): boolean {
    return this.notice !== undefined;
  }

  private schedule(): void {
    const untilSilence = this.notice ? Infinity : this.lastActivity + this.silenceMs - this.deps.clock.now();
    this.next = this.deps.clock.schedule(Math.max(0, Math.min(this.deps.refreshMs ?? REFRESH_EVERY_MS, untilSilence)), this.tick);
  }

  private readonly tick = (): void => {
    this.next = undefined;
    if (this.stopped) return;
    const { clock, view } = this.deps;
    view.refresh();
    if (view.waitingForApproval) this.lastActivity = clock.now(); // waiting for the owner is not silence
    else if (!this.notice && clock.now() - this.lastActivity >= this.silenceMs) this.sendNotice();
    if (!this.stopped) this.schedule();
  };

  private sendNotice(): void {
    const { messenger, chatId, threadId, turnId, view } = this.deps;
    const text = `⏳ ${view.deviceName} has been silent for ${formatSeconds((this.deps.clock.now() - this.lastActivity) / 1000)}. Still working?`;
    const markup = { inline_keyboard: [[{ text: "⏹ Stop", callback_data: encodeCallback({ kind: "stop", turnId }) }, { text: "Keep waiting", callback_data: encodeCallback({ kind: "keepWaiting", turnId }) }]] };
    // Loud on purpose: this needs the owner.
    this.notice = messenger.send(chatId, plain(text), { markup, threadId }).then((m) => m?.message_id);
  }

  private settleNotice(text: string): void {
    const notice = this.notice;
    if (!notice) return;
    this.notice = undefined;
    void notice.then((id) => id !== undefined && this.deps.messenger.edit(this.deps.chatId, id, plain(text)));
  }
}
