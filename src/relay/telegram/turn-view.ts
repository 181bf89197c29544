import type { InlineKeyboardMarkup } from "grammy/types";
import { formatSize, MAX_TEXT_EVENT_CHARS, MAX_TURN_TEXT_CHARS } from "../../proto";
import type { TurnStatus } from "../db/repo";
import { concatFormatted, italic, markdownToFormatted, plain, code, type FormattedText } from "../format";
import { MASKED_NOTE, maskSecrets } from "../mask-secrets";
import { encodeCallback } from "./callback-data";
import { safePrefix } from "../safe-prefix";
import type { LiveMessage, LiveState } from "./live-message";
import { layoutMessages } from "./long-answer";
import { formatSeconds, renderToolSection, toolFinished, toolStarted, type ToolActivity } from "./tool-activity";

/** The most answer text a turn view holds: the agent's per-turn cap plus room for its notices. */
const ANSWER_CEILING = MAX_TURN_TEXT_CHARS + MAX_TEXT_EVENT_CHARS;

export type TurnEnd = { durationMs?: number; costUsd?: number; turns?: number; claudeSessionId?: string; error?: string; files?: string[]; diff?: boolean };
type ToolEvent = Parameters<typeof toolStarted>[1];
type ToolResultEvent = Parameters<typeof toolFinished>[1];

export type TurnViewOptions = {
  turnId: string;
  deviceName: string;
  live: LiveMessage;
  now: () => number;
  answer?: string;
  status?: TurnStatus;
  tools?: ToolActivity[];
  /** Messages the answer may fill before it becomes a live tail plus a file (default 3). */
  maxMessages?: number;
  /** When the turn started running (for "running 2m10s"). */
  startedAt?: number;
  /** The turn's session, short ("#2 · 📁 project"), shown at the end of the status line. */
  sessionLabel?: string;
};

/**
 * What the owner sees for one prompt: the answer as it streams, a compact section of tool
 * activity, and a status line that becomes the footer when the turn ends. State + render;
 * LiveMessage sends.
 */
export class TurnView {
  private end: TurnEnd = {};
  private queuedReason = "";
  /** Set once the answer outgrew `maxMessages`: the whole of it is attached as a file at the end. */
  private overflowed = false;
  private attachment: Promise<unknown> | undefined;
  private alerted = false;

  private readonly turnId: string;
  readonly deviceName: string;
  private readonly live: LiveMessage;
  private readonly now: () => number;
  private readonly maxMessages: number;
  private answer: string;
  private status: TurnStatus;
  private tools: ToolActivity[];
  private startedAt: number;
  private awaitingApproval = false;
  private cut = false;
  private readonly sessionLabel: string;

  constructor(options: TurnViewOptions) {
    this.turnId = options.turnId;
    this.deviceName = options.deviceName;
    this.live = options.live;
    this.now = options.now;
    this.maxMessages = options.maxMessages ?? 3;
    this.answer = options.answer ?? "";
    this.status = options.status ?? "running";
    this.tools = options.tools ?? [];
    this.startedAt = options.startedAt ?? options.now();
    this.sessionLabel = options.sessionLabel ? ` · ${options.sessionLabel}` : "";
  }

  /** The topic the turn is shown in. */
  get threadId(): number | undefined {
    return this.live.threadId;
  }

  get messageIds(): number[] {
    return this.live.messageIds;
  }

  /** The tool calls so far (to persist them). */
  get toolActivity(): ToolActivity[] {
    return this.tools;
  }

  /** Resolves once Telegram shows the latest state (and has the file, for a long answer). */
  async settled(): Promise<void> {
    await this.live.settled();
    await this.attachment;
  }

  queued(reason: string): void {
    this.status = "queued";
    this.queuedReason = reason;
    this.flush();
  }

  started(): void {
    this.status = "running";
    this.startedAt = this.now();
    this.flush();
  }

  /** Re-renders with the current time (running durations). */
  refresh(): void {
    if (!this.finished) this.flush();
  }

  /** Claude waits for the owner's answer on an approval card. */
  setAwaitingApproval(waiting: boolean): void {
    if (this.awaitingApproval === waiting) return;
    this.awaitingApproval = waiting;
    this.flush();
  }

  get waitingForApproval(): boolean {
    return this.awaitingApproval && this.status === "running";
  }

  /** One line for the Status button: "laptop · running 2m10s · 4 steps · last tool: Bash npm test". */
  summary(): string {
    if (this.status === "queued") return `${this.deviceName} · waiting: ${this.queuedReason}`;
    if (this.finished) return `${this.deviceName} · ${this.status}`;
    const steps = this.tools.length ? ` · ${this.tools.length} step${this.tools.length === 1 ? "" : "s"}` : "";
    return `${this.deviceName} · ${this.runningLine().text}${steps}`;
  }

  /** "running 2m10s · last tool: Bash `npm test` · waiting for approval" */
  private runningLine(): FormattedText {
    const parts: FormattedText[] = [plain(`running ${formatSeconds((this.now() - this.startedAt) / 1000)}`)];
    const last = this.tools.at(-1);
    if (last) {
      const summary = last.summary.length > 60 ? `${last.summary.slice(0, 59)}…` : last.summary;
      parts.push(concatFormatted(plain(`last tool: ${last.name}${summary ? " " : ""}`), summary ? code(summary) : plain("")));
    }
    if (this.awaitingApproval) parts.push(plain("waiting for approval"));
    return concatFormatted(...parts.flatMap((p, i) => (i === 0 ? [p] : [plain(" · "), p])));
  }

  appendMarkdown(markdown: string): void {
    // An agent streams at most MAX_TURN_TEXT_CHARS of a turn (plus its notices); one that sends
    // more is broken or hostile, and the relay stops growing (and re-rendering) the answer.
    if (this.answer.length + markdown.length > ANSWER_CEILING) {
      if (this.cut) return;
      this.cut = true;
      markdown = `\n\n⚠️ ${this.deviceName} sent more than ${formatSize(MAX_TURN_TEXT_CHARS)} of text in this turn; the relay shows no more of it.\n\n`;
    }
    this.answer += markdown;
    this.flush();
  }

  toolStarted(event: ToolEvent): void {
    this.tools = toolStarted(this.tools, event, this.now());
    this.flush();
  }

  toolFinished(result: ToolResultEvent): void {
    this.tools = toolFinished(this.tools, result, this.now());
    this.flush();
  }

  finish(status: Exclude<TurnStatus, "queued" | "running">, end: TurnEnd): void {
    this.status = status;
    this.end = end;
    this.flush();
    // Rendering is lazy: whether the answer overflowed is known once Telegram shows the final state.
    this.attachment ??= this.live.settled().then(() => (this.overflowed ? this.attachWhole() : undefined));
    if (status === "failed" && !this.alerted) {
      this.alerted = true;
      const reason = maskSecrets((end.error ?? "").split("\n")[0]!).text.slice(0, 300);
      void this.live.settled().then(() => this.live.alert(plain(`⚠️ The turn on ${this.deviceName} failed${reason ? `: ${reason}` : "."}`)));
    }
  }

  private attachWhole(): Promise<unknown> {
    const { text } = maskSecrets(this.answer.trimEnd());
    const kb = (new TextEncoder().encode(text).length / 1024).toFixed(1);
    return this.live.attach(`answer-${this.turnId}.md`, `${text}\n`, `📎 The whole answer from ${this.deviceName} (${kb} KB)`);
  }

  get finished(): boolean {
    return this.status !== "queued" && this.status !== "running";
  }

  /** The view changed: Telegram is brought in line, rendering only when the lane is about to call. */
  private flush(): void {
    this.live.update(() => this.render());
  }

  private render(): LiveState {
    // While the turn runs, a tail that may still become a secret waits for the text that decides it.
    const visible = this.finished ? this.answer : safePrefix(this.answer).shown;
    const { text: answer, masked } = maskSecrets(visible.trimEnd());
    const body = answer.trim() ? markdownToFormatted(masked ? `${answer}\n\n${MASKED_NOTE}` : answer) : plain("");
    const tools = renderToolSection(this.tools, this.now(), this.finished);
    const whole = concatFormatted(...[body, tools, this.statusLine()].filter((p) => p.text).flatMap((p, i) => (i === 0 ? [p] : [plain("\n\n"), p])));
    const layout = layoutMessages(whole, this.maxMessages, this.finished);
    this.overflowed ||= layout.overflow;
    // The answer never rings the phone: it is what the owner asked for and is watching (edits are
    // silent anyway). A failure rings separately (see finish).
    return { pieces: layout.pieces, markup: this.buttons(), silent: true, draft: this.status === "running" };
  }

  private statusLine(): FormattedText {
    const name = this.deviceName;
    switch (this.status) {
      case "queued":
        return italic(`🕓 waiting for ${name}: ${this.queuedReason}${this.sessionLabel}`);
      case "running":
        return concatFormatted(plain(`⏳ ${name} `), italic(concatFormatted(this.runningLine(), plain(this.sessionLabel))));
      case "done":
        return this.footer("✅");
      case "stopped":
        return this.footer("⏹ stopped ·");
      case "failed":
        return concatFormatted(this.footer("⚠️ failed ·"), this.end.error ? plain(`\n${maskSecrets(this.end.error).text}`) : plain(""));
    }
  }

  private footer(mark: string): FormattedText {
    const parts = [this.deviceName];
    if (this.end.durationMs !== undefined) parts.push(`${(this.end.durationMs / 1000).toFixed(1)} s`);
    if (this.end.costUsd !== undefined) parts.push(`$${this.end.costUsd.toFixed(4)}`);
    if (this.end.turns !== undefined) parts.push(`${this.end.turns} turn${this.end.turns === 1 ? "" : "s"}`);
    const line = italic(`${mark} ${parts.join(" · ")}${this.sessionLabel}`);
    if (!this.end.claudeSessionId) return line;
    return concatFormatted(line, plain("\n"), code(`claude --resume ${this.end.claudeSessionId}`));
  }

  private buttons(): InlineKeyboardMarkup | undefined {
    if (this.status === "running") return { inline_keyboard: [[{ text: "⏹ Stop", callback_data: encodeCallback({ kind: "stop", turnId: this.turnId }) }, { text: "ℹ Status", callback_data: encodeCallback({ kind: "status", turnId: this.turnId }) }]] };
    if (this.status === "queued") return { inline_keyboard: [[{ text: "✖ Cancel", callback_data: encodeCallback({ kind: "cancel", turnId: this.turnId }) }]] };
    return fileButtons(this.turnId, this.end.files ?? [], this.end.diff ?? false);
  }
}

/** "📎 report.pdf" for each file a finished turn changed, and "🧾 changes.diff" for all of it, two to a row. */
function fileButtons(turnId: string, files: readonly string[], diff: boolean): InlineKeyboardMarkup | undefined {
  if (files.length === 0 && !diff) return undefined;
  const buttons = files.map((path, index) => ({ text: `📎 ${path.split("/").at(-1)}`, callback_data: encodeCallback({ kind: "file", turnId, index }) }));
  if (diff) buttons.push({ text: "🧾 changes.diff", callback_data: encodeCallback({ kind: "diff", turnId }) });
  const rows = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return { inline_keyboard: rows };
}
