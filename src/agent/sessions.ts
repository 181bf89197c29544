import type { Cancel, Clock } from "../clock";
import { untrusted, type Log } from "../log";
import type { PermissionMode, Prompt, SessionEvent } from "../proto";
import { MAX_TURN_FILES } from "../proto/limits";
import type { Runner, RunnerEvent, RunnerSession } from "../runner/types";
import type { z } from "../proto/zod";
import type { PendingApprovals } from "./approvals";
import { checkMode, resolveCwd, type MachineLimits } from "./limits";
import type { ToolPolicy } from "./policy";
import { policyGate } from "./policy-gate";
import type { SavedSession } from "./store";
import { ChangedFiles, lineChange } from "./tool-change";
import { saveTurnDiff } from "./turn-diffs";
import { toolSummary } from "./tool-summary";
import { TurnText, type TurnTextLimits } from "./turn-text";
import { maskSecrets } from "../secret-scan";
import { dataDir } from "../paths";
import { join } from "node:path";
import { InboxError, type Inbox } from "./inbox";
import type { Worktrees } from "./worktrees";

type PromptT = z.infer<typeof Prompt>;

type Live = {
  id: string;
  runner: RunnerSession | null;
  claudeSessionId?: string;
  /** `fetching`: the prompt's files are on their way; aborting it stops the turn before claude sees it. */
  turn: { id: string; startedAt: number; text: TurnText; files: ChangedFiles; fetching?: AbortController } | null;
  /** The folder this session's claude runs in (known once it started). */
  cwd?: string;
  queue: PromptT[];
  /**
   * claude reports cost cumulatively per process (a `--resume`d one starts again at 0): the turn's
   * own cost is the difference, so this is reset whenever claude starts.
   */
  costSoFar: number;
  mode: PermissionMode;
  /** The mode changed during a turn: claude is started again (resuming) after it. */
  restartAfterTurn?: boolean;
  /** When its last turn began or ended: the least recently used idle claude is ended first. */
  usedAt: number;
  /** Ends its idle claude after the idle timeout. */
  idleTimer?: Cancel;
};

export type SessionsDeps = {
  runner: Runner;
  approvals: PendingApprovals;
  limits: MachineLimits;
  /** The machine's tool policy; absent = only the built-in checks (file tools inside the roots, plan mode reads). */
  policy?: ToolPolicy;
  env: Record<string, string>;
  clock: Clock;
  log: Log;
  /** This machine's name as the owner knows it (for messages). */
  machineName?: string;
  /** Every event goes here, in order; the caller numbers and delivers them. */
  emit(sessionId: string, event: SessionEvent): void;
  /** Called with the sessions' state whenever it changes (persisted so a restart can resume). */
  save?(sessions: SavedSession[]): void;
  /** Where an answer longer than the per-turn cap is saved whole (default: the agent's data dir). */
  answersDir?: string;
  /** Text size caps (default: the protocol's, src/proto/limits.ts). */
  textLimits?: TurnTextLimits;
  /** Brings files sent with a prompt to the machine (absent: prompts with files are refused). */
  inbox?: Inbox;
  /** Live claude processes at most (--max-sessions; default 4). */
  maxProcesses?: number;
  /** An idle claude (no turn) is ended after this long; the next prompt resumes it (--idle-timeout; default 10 min). */
  idleTimeoutMs?: number;
  /** Makes and removes /new worktree conversations' git worktrees (absent: such prompts are refused). */
  worktrees?: Worktrees;
};

export const DEFAULT_MAX_PROCESSES = 4;
export const DEFAULT_IDLE_TIMEOUT_MS = 600_000;

const OUTPUT_LIMIT = 2000;

/**
 * The agent's conversations: one claude process per relay session, one turn at a time (later
 * prompts wait their turn), every runner event translated into a session event. A conversation is
 * held only while it has a claude, a turn or queued prompts: the relay's prompt brings the rest
 * (claude session to resume, folder, mode), so the records stay bounded by the live processes.
 */
export class AgentSessions {
  private sessions = new Map<string, Live>();
  private shuttingDown = false;
  /**
   * Sessions whose turn a restart cut short: the relay hears of them in the next hello (so it
   * waits for the turn's end this agent sends instead of failing it itself), until it welcomes us.
   */
  private ending = new Set<string>();

  constructor(private readonly deps: SessionsDeps) {}

  /**
   * Brings back the conversations of a previous run (claude resumes them on the next prompt).
   * A turn that was running when the agent died cannot finish: it ends as failed, saying why.
   */
  restore(saved: SavedSession[]): void {
    for (const s of saved) {
      if (!s.turnId) continue;
      this.ending.add(s.sessionId);
      this.deps.emit(s.sessionId, {
        kind: "turn.ended",
        turnId: s.turnId,
        status: "failed",
        durationMs: 0,
        ...(s.claudeSessionId ? { claudeSessionId: s.claudeSessionId } : {}),
        error: `${this.deps.machineName ?? "The machine"} restarted during this turn; session resumed: the conversation is kept and claude continues it. Send the prompt again to pick up where it stopped.`,
      });
    }
    this.persist();
  }

  private persist(): void {
    this.deps.save?.(
      [...this.sessions.values()].map((s) => ({
        sessionId: s.id,
        mode: s.mode,
        ...(s.claudeSessionId ? { claudeSessionId: s.claudeSessionId } : {}),
        ...(s.turn ? { turnId: s.turn.id } : {}),
      })),
    );
  }

  /** What the agent holds for the relay's hello: conversations with a claude, a turn or queued prompts, a worktree, and cut-short ones. */
  list(): { sessionId: string; busy: boolean }[] {
    const held = [...this.sessions.values()].map((s) => ({ sessionId: s.id, busy: s.turn !== null }));
    const idle = new Set([...this.ending, ...(this.deps.worktrees?.held() ?? [])]);
    for (const id of idle) if (!this.sessions.has(id)) held.push({ sessionId: id, busy: false });
    return held;
  }

  /** The relay has the hello: the cut-short turns' ends reach it from the outbox. */
  welcomed(): void {
    this.ending.clear();
  }

  get busy(): boolean {
    return [...this.sessions.values()].some((s) => s.turn !== null);
  }

  prompt(frame: PromptT): void {
    const session = this.sessions.get(frame.sessionId) ?? this.create(frame.sessionId);
    if (session.turn || session.queue.length > 0) session.queue.push(frame);
    else this.begin(session, frame);
  }

  /** /mode from the phone: checked against the machine's cap, applied now or at the next start. */
  async setMode(sessionId: string, mode: PermissionMode): Promise<void> {
    // Without a claude nothing needs the mode now: the relay sends it with the next prompt.
    const session = this.sessions.get(sessionId);
    const refusal = checkMode(this.deps.limits, mode);
    if (refusal) {
      this.deps.emit(sessionId, { kind: "notice", level: "warn", text: `Mode not changed: ${refusal}.` });
      return;
    }
    if (!session) {
      this.deps.emit(sessionId, { kind: "notice", level: "info", text: `Permission mode is now ${mode}.` });
      return;
    }
    session.mode = mode;
    this.persist();
    // claude 2.1.197 switched to plan at run time still runs touch/mkdir in its folder without
    // asking; started with --permission-mode plan it asks. So an idle claude is ended and the
    // next prompt resumes the conversation in a new one; a running turn switches now and
    // claude restarts after it.
    let applied = true;
    if (session.runner && session.turn) {
      applied = await session.runner.setMode(mode);
      session.restartAfterTurn = true;
    } else if (session.runner) {
      this.retire(session);
    }
    this.deps.emit(sessionId, applied
      ? { kind: "notice", level: "info", text: `Permission mode is now ${mode}.` }
      : { kind: "notice", level: "warn", text: `claude did not confirm the switch to ${mode}; it applies from the next prompt.` });
  }

  /** Ends this session's claude; the next prompt starts a new one that resumes the conversation. */
  private retire(session: Live): void {
    const runner = session.runner;
    session.runner = null;
    session.restartAfterTurn = false;
    this.clearIdle(session);
    void runner?.close();
    this.forgetIfIdle(session);
  }

  /** No claude, no turn, nothing queued: nothing left to hold (memory and the persisted file). */
  private forgetIfIdle(session: Live): void {
    if (session.runner || session.turn || session.queue.length > 0 || this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.clearIdle(session);
    this.persist();
  }

  /** Live claude processes now. */
  get processes(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.runner) n++;
    return n;
  }

  private clearIdle(session: Live): void {
    session.idleTimer?.();
    delete session.idleTimer;
  }

  /** After a turn: its claude is ended once it stayed idle for the idle timeout. */
  private armIdle(session: Live): void {
    this.clearIdle(session);
    // A closed session, or an agent shutting down (its claude may still report the interrupted turn): no timer keeps it alive.
    if (!session.runner || session.turn || this.shuttingDown || this.sessions.get(session.id) !== session) return;
    const ms = this.deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    session.idleTimer = this.deps.clock.schedule(ms, () => {
      delete session.idleTimer;
      if (!session.runner || session.turn) return;
      this.deps.log.info(`session ${session.id}: claude was idle for ${Math.round(ms / 1000)} s and is ended; the next prompt resumes the conversation`);
      this.retire(session);
    });
  }

  /**
   * Room for one more claude under the cap: the least recently used idle one is ended when the cap
   * is reached. The refusal (every claude is in a turn) says what to do.
   */
  private makeRoom(): string | undefined {
    const max = this.deps.maxProcesses ?? DEFAULT_MAX_PROCESSES;
    if (this.processes < max) return undefined;
    const idle = [...this.sessions.values()].filter((s) => s.runner && !s.turn).sort((a, b) => a.usedAt - b.usedAt)[0];
    if (idle) {
      this.deps.log.info(`session ${idle.id}: its idle claude is ended to make room (--max-sessions ${max}); the next prompt resumes it`);
      this.retire(idle);
      return undefined;
    }
    return `${this.machine} already runs ${max} claude session${max === 1 ? "" : "s"}, all in the middle of a turn (its cap, --max-sessions ${max}). /stop one of them and send this again, or raise --max-sessions (RA_MAX_SESSIONS) on the machine.`;
  }

  async stop(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    session?.queue.splice(0);
    if (session?.turn?.fetching) return session.turn.fetching.abort();
    if (!session?.turn || !session.runner) return;
    this.deps.log.info(`stopping the turn in session ${sessionId}`);
    await session.runner.interrupt();
  }

  /** /close on the phone: the conversation ends here (its claude transcript stays, for /desk and `claude --resume`). */
  async close(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (session) {
      this.deps.log.info(`session ${sessionId} was closed${session.runner ? "; its claude is ended" : ""}`);
      this.sessions.delete(sessionId);
      this.clearIdle(session);
      session.queue.splice(0);
      this.persist();
      await session.runner?.close();
    }
    const worktree = await this.deps.worktrees?.remove(sessionId);
    if (worktree && "kept" in worktree) this.deps.emit(sessionId, { kind: "notice", level: "warn", text: worktree.kept.slice(0, 4000) });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  /** The agent stops: claude processes end (a running turn is interrupted), conversations are kept for the next run. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.sessions.values()].map(async (s) => {
      s.queue.splice(0);
      this.clearIdle(s);
      await s.runner?.close();
    }));
    this.persist();
  }

  private create(id: string): Live {
    const session: Live = { id, runner: null, turn: null, queue: [], costSoFar: 0, mode: "default", usedAt: this.deps.clock.now() };
    this.sessions.set(id, session);
    return session;
  }

  private begin(session: Live, frame: PromptT): void {
    const { deps } = this;
    session.turn = { id: frame.turnId, startedAt: deps.clock.now(), text: new TurnText(frame.turnId, this.answersDir, deps.textLimits), files: new ChangedFiles(session.cwd) };
    session.usedAt = deps.clock.now();
    this.clearIdle(session);
    deps.emit(session.id, { kind: "turn.started", turnId: frame.turnId });
    this.persist();
    if (session.runner) return this.give(session, frame, session.runner);
    const where = resolveCwd(deps.limits, frame.cwd);
    const refusal = "error" in where ? where.error : checkMode(deps.limits, frame.mode ?? session.mode);
    if (refusal || "error" in where) return this.fail(session, frame.turnId, `refused by the machine: ${refusal}`);
    if (frame.worktree) void this.inWorktree(session, frame, where.cwd);
    else this.startClaude(session, frame, where.cwd);
  }

  /** A /new worktree conversation: claude runs in the conversation's own git worktree (made on its first start). */
  private async inWorktree(session: Live, frame: PromptT, cwd: string): Promise<void> {
    const turn = session.turn!;
    // /stop while git works: the turn ends before claude starts.
    const preparing = new AbortController();
    turn.fetching = preparing;
    const ready = this.deps.worktrees ? await this.deps.worktrees.prepare(session.id, cwd) : { error: "this agent cannot make git worktrees" };
    if (turn.fetching === preparing) delete turn.fetching;
    if (session.turn !== turn || this.sessions.get(session.id) !== session || this.shuttingDown) return;
    if (preparing.signal.aborted) return this.endTurn(session, { kind: "turn.ended", turnId: turn.id, status: "stopped", durationMs: this.deps.clock.now() - turn.startedAt });
    if ("error" in ready) return this.fail(session, turn.id, ready.error);
    this.startClaude(session, frame, ready.cwd);
  }

  private startClaude(session: Live, frame: PromptT, cwd: string): void {
    const { deps } = this;
    const full = this.makeRoom();
    if (full) {
      deps.log.warn(`session ${session.id}: prompt refused, ${full}`);
      return this.fail(session, frame.turnId, full);
    }
    const resume = session.claudeSessionId ?? frame.resume;
    const mode = frame.mode ?? session.mode;
    if (resume) deps.log.info(`session ${session.id}: starting claude with --resume ${resume}`);
    session.mode = mode;
    session.costSoFar = 0;
    let runner: RunnerSession;
    try {
      runner = deps.runner.start({ cwd, env: deps.env, mode, onPermissionRequest: this.guarded(session, cwd), ...(resume ? { resume } : {}) });
    } catch (err) {
      return this.fail(session, frame.turnId, `could not start claude: ${(err as Error).message}`);
    }
    session.runner = runner;
    session.cwd = cwd;
    session.turn!.files = new ChangedFiles(cwd);
    runner.onEvent((event) => this.onRunnerEvent(session, runner, event));
    this.give(session, frame, runner);
  }

  /** claude gets the prompt (with its files, once they are on the machine). */
  private give(session: Live, frame: PromptT, runner: RunnerSession): void {
    if (frame.attachments?.length) void this.deliver(session, frame, runner);
    else runner.send(frame.text);
  }

  private fail(session: Live, turnId: string, error: string): void {
    this.endTurn(session, { kind: "turn.ended", turnId, status: "failed", durationMs: 0, error });
  }

  /** Brings the prompt's files to the machine, then gives claude the prompt with them. */
  private async deliver(session: Live, frame: PromptT, runner: RunnerSession): Promise<void> {
    const turn = session.turn!;
    const fetching = new AbortController();
    turn.fetching = fetching;
    try {
      if (!this.deps.inbox || !session.cwd) throw new InboxError("this agent cannot receive files");
      const delivered = await this.deps.inbox.receive(frame.turnId, frame.text, frame.attachments!, session.cwd, session.mode === "plan", fetching.signal);
      delete turn.fetching;
      if (session.turn !== turn) return;
      this.deps.log.info(`saved ${delivered.saved.length} file(s) for session ${session.id}: ${delivered.saved.map((p) => untrusted(p)).join(", ")}`);
      runner.send(delivered.text, delivered.images);
    } catch (err) {
      delete turn.fetching;
      if (session.turn !== turn) return;
      const stopped = fetching.signal.aborted;
      const why = err instanceof InboxError ? err.message : `${(err as Error).message}`;
      if (!stopped) this.deps.log.warn(`could not bring a file to the machine: ${untrusted(why)}`);
      this.endTurn(session, {
        kind: "turn.ended",
        turnId: turn.id,
        status: stopped ? "stopped" : "failed",
        durationMs: this.deps.clock.now() - turn.startedAt,
        ...(stopped ? {} : { error: `The file did not reach ${this.machine}: ${why}. Nothing ran; send it again.`.slice(0, 2000) }),
      });
    }
  }

  /** The owner is asked only about calls the machine's policy lets through. */
  private guarded(session: Live, cwd: string) {
    const { deps } = this;
    const policy = deps.policy ?? { roots: deps.limits.roots, deny: [], allow: [] };
    return policyGate(
      {
        policy,
        context: () => ({ cwd, mode: session.mode }),
        denied: (why) => {
          deps.log.warn(`denied on this machine: ${why}`);
          deps.emit(session.id, { kind: "notice", level: "warn", text: `Denied on ${deps.machineName ?? "the machine"}: ${why}.`.slice(0, 4096), ...(session.turn ? { turnId: session.turn.id } : {}) });
        },
        planApproved: () => {
          // claude leaves plan mode once the plan is approved; the machine's cap still holds.
          if (session.mode !== "plan" || checkMode(deps.limits, "default")) return;
          session.mode = "default";
          this.persist();
        },
      },
      deps.approvals.handlerFor(session.id, () => session.turn?.id),
    );
  }

  private onRunnerEvent(session: Live, runner: RunnerSession, event: RunnerEvent): void {
    // A claude retired after a mode change may still report its exit: the session has moved on.
    if (session.runner !== runner) return;
    const turn = session.turn;
    const emit = (e: SessionEvent) => this.deps.emit(session.id, e);
    switch (event.kind) {
      case "init":
        if (session.claudeSessionId !== event.sessionId) {
          session.claudeSessionId = event.sessionId;
          this.persist();
        }
        if (turn) emit({ kind: "init", turnId: turn.id, claudeSessionId: event.sessionId, model: event.model, cwd: event.cwd });
        return;
      case "text": {
        if (!turn || !event.text) return;
        const { pieces, overflowed } = turn.text.add(event.text);
        for (const text of pieces) emit({ kind: "text", turnId: turn.id, text });
        const notice = overflowed && turn.text.overflowNotice(this.machine);
        if (notice) emit({ kind: "notice", level: "info", turnId: turn.id, text: notice.slice(0, 4000) });
        return;
      }
      case "tool":
        turn?.files.started(event.toolUseId, event.name, event.input);
        if (turn) emit({ kind: "tool", turnId: turn.id, toolUseId: event.toolUseId, name: event.name, summary: toolSummary(event.name, event.input), ...lineChange(event.name, event.input) });
        return;
      case "tool.result":
        turn?.files.finished(event.toolUseId, event.isError, event.output);
        if (turn) emit({ kind: "tool.result", turnId: turn.id, toolUseId: event.toolUseId, isError: event.isError, output: event.output.slice(0, OUTPUT_LIMIT) });
        return;
      case "result":
        if (event.sessionId) session.claudeSessionId = event.sessionId;
        if (!turn) return;
        const turnCost = event.costUsd === undefined ? undefined : Math.max(0, event.costUsd - session.costSoFar);
        if (event.costUsd !== undefined) session.costSoFar = event.costUsd;
        this.endTurn(session, {
          kind: "turn.ended",
          turnId: turn.id,
          status: event.status,
          durationMs: event.durationMs,
          ...(turnCost !== undefined ? { costUsd: turnCost } : {}),
          ...(event.turns !== undefined ? { turns: event.turns } : {}),
          ...(session.claudeSessionId ? { claudeSessionId: session.claudeSessionId } : {}),
          ...(event.error ? { error: event.error.slice(0, 2000) } : {}),
        });
        return;
      case "garbage":
        this.deps.log.warn(`claude printed a line ra does not understand: ${untrusted(event.line, 200)}`);
        return;
      case "exit": {
        session.runner = null;
        if (!turn) return this.forgetIfIdle(session);
        const why = event.signal ? `was killed by ${event.signal}` : `exited with code ${event.code}`;
        const tail = event.stderrTail.trim().split("\n").slice(-5).join("\n");
        this.endTurn(session, {
          kind: "turn.ended",
          turnId: turn.id,
          status: "failed",
          durationMs: this.deps.clock.now() - turn.startedAt,
          ...(session.claudeSessionId ? { claudeSessionId: session.claudeSessionId } : {}),
          error: `claude ${why} in the middle of the turn.${tail ? `\n${tail}` : ""}\nThe conversation is kept: the next prompt resumes it.`.slice(0, 4000),
        });
        return;
      }
    }
  }

  private get machine(): string {
    return this.deps.machineName ?? "the machine";
  }

  /** Saves the turn's changes as one diff in the agent's data dir, for the 🧾 button; false when nothing changed. */
  private keepDiff(turnId: string, files: ChangedFiles): boolean {
    try {
      const diff = files.diff();
      if (!diff) return false;
      saveTurnDiff(this.answersDir, turnId, diff);
      return true;
    } catch (err) {
      this.deps.log.warn(`could not keep the diff of turn ${turnId}: ${(err as Error).message}`);
      return false;
    }
  }

  private get answersDir(): string {
    return this.deps.answersDir ?? join(dataDir(), "agent", "answers");
  }

  private endTurn(session: Live, ended: Extract<SessionEvent, { kind: "turn.ended" }>): void {
    const ours = session.turn?.id === ended.turnId ? session.turn : null;
    const left = ours ? ours.text.finalNotice(this.machine) : null;
    const files = ours?.files.list(MAX_TURN_FILES) ?? [];
    if (files.length > 0) ended = { ...ended, files };
    if (ours && this.keepDiff(ours.id, ours.files)) ended = { ...ended, diff: true };
    if (left) this.deps.emit(session.id, { kind: "notice", level: "warn", turnId: ended.turnId, text: left.slice(0, 4000) });
    session.turn = null;
    session.usedAt = this.deps.clock.now();
    if (session.restartAfterTurn) this.retire(session);
    // Error texts (claude's own, the last lines of its stderr) can quote secrets: masked before they leave.
    this.deps.emit(session.id, ended.error ? { ...ended, error: maskSecrets(ended.error).text } : ended);
    this.persist();
    const next = session.queue.shift();
    if (next) this.begin(session, next);
    else if (session.runner) this.armIdle(session);
    else this.forgetIfIdle(session);
  }
}
