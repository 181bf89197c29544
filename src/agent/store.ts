import { appendFileSync, chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { keepPrivate } from "../private-files";
import { join } from "node:path";
import { ExitCode, RaError } from "../errors";
import type { OutgoingEvent } from "./outbox";
import type { WorktreeRecord } from "./worktrees";

export type SavedSession = { sessionId: string; claudeSessionId?: string; mode: string; turnId?: string };

const COMPACT_BYTES = 1 << 20;

/**
 * The agent's memory on disk (its data dir): unacknowledged events (an append-only log of events
 * and acks, compacted when it grows) and the conversations it runs, so a restarted agent replays
 * what the relay never stored and resumes claude where it was.
 */
export class AgentStore {
  private readonly outboxPath: string;
  private readonly sessionsPath: string;
  private readonly worktreesPath: string;
  private readonly lockPath: string;

  /** `onTighten` hears about permissions made private at open ("… was 0755, now 0700"). */
  constructor(
    readonly dir: string,
    private readonly onTighten: (message: string) => void = () => {},
  ) {
    this.outboxPath = join(dir, "outbox.jsonl");
    this.sessionsPath = join(dir, "sessions.json");
    this.worktreesPath = join(dir, "worktrees.json");
    this.lockPath = join(dir, "agent.pid");
  }

  /** Creates the dir, proves it is writable, and takes the lock; clear errors otherwise. */
  open(pid = process.pid): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.tighten();
      const probe = join(this.dir, `.write-test-${pid}`);
      writeFileSync(probe, "ok", { mode: 0o600 });
      rmSync(probe);
    } catch (cause) {
      throw new RaError("data_dir", `cannot write to the agent's data directory ${this.dir}: ${(cause as Error).message}`, {
        hint: "free some disk space, fix the folder's permissions, or pass another --data-dir",
        exitCode: ExitCode.ioError,
      });
    }
    if (existsSync(this.lockPath)) {
      const other = Number(readFileSync(this.lockPath, "utf8").trim());
      if (other && other !== pid && alive(other)) {
        throw new RaError("agent_running", `another ra agent (pid ${other}) already runs with ${this.dir}`, {
          hint: "stop it first (or use `ra service stop`); two agents with one identity would take turns disconnecting each other",
          exitCode: ExitCode.config,
        });
      }
    }
    writeFileSync(this.lockPath, `${pid}\n`, { mode: 0o600 });
  }

  /** Prompts, answers and tool output live here: only this user may read them, whatever the folder was before. */
  private tighten(): void {
    keepPrivate(this.dir, { dir: "the agent's data folder", file: "the agent's file" }, this.onTighten);
  }

  release(): void {
    rmSync(this.lockPath, { force: true });
  }

  /**
   * What the previous run left: its unacknowledged events, in order, and the highest sequence
   * number each session used, so numbering continues after it (a lower one would be dropped by
   * the relay as a duplicate).
   */
  loadOutbox(): { pending: OutgoingEvent[]; lastSeq: Map<string, number> } {
    const pending: OutgoingEvent[] = [];
    const lastSeq = new Map<string, number>();
    if (!existsSync(this.outboxPath)) return { pending, lastSeq };
    const saw = (sessionId: string, seq: number) => lastSeq.set(sessionId, Math.max(lastSeq.get(sessionId) ?? -1, seq));
    for (const line of readFileSync(this.outboxPath, "utf8").split("\n")) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as { e?: OutgoingEvent; a?: [string, number]; n?: [string, number]; t?: [string, number, string] };
        if (entry.n) saw(...entry.n);
        else if (entry.t) {
          const [sessionId, seq, text] = entry.t;
          const target = pending.find((e) => e.sessionId === sessionId && e.seq === seq);
          if (target?.event.kind === "text") target.event = { ...target.event, text: target.event.text + text };
        }
        else if (entry.e) {
          pending.push(entry.e);
          saw(entry.e.sessionId, entry.e.seq);
        } else if (entry.a) {
          const [sessionId, seq] = entry.a;
          saw(sessionId, seq);
          for (let i = pending.length - 1; i >= 0; i--) if (pending[i]!.sessionId === sessionId && pending[i]!.seq <= seq) pending.splice(i, 1);
        }
      } catch {
        // A torn last line after a crash: everything before it is intact.
      }
    }
    return { pending, lastSeq };
  }

  appendEvent(item: OutgoingEvent): void {
    appendFileSync(this.outboxPath, `${JSON.stringify({ e: item })}\n`, { mode: 0o600 });
  }

  appendText(sessionId: string, seq: number, text: string): void {
    appendFileSync(this.outboxPath, `${JSON.stringify({ t: [sessionId, seq, text] })}\n`, { mode: 0o600 });
  }

  appendAck(sessionId: string, seq: number, pending: readonly OutgoingEvent[], lastSeq: () => ReadonlyMap<string, number>): void {
    appendFileSync(this.outboxPath, `${JSON.stringify({ a: [sessionId, seq] })}\n`, { mode: 0o600 });
    if (statSync(this.outboxPath).size > COMPACT_BYTES) this.compact(pending, lastSeq());
  }

  /** Rewrites the log with only what is still unacknowledged plus each session's last number (atomic rename). */
  compact(pending: readonly OutgoingEvent[], lastSeq: ReadonlyMap<string, number>): void {
    const marks = [...lastSeq].map(([sessionId, seq]) => `${JSON.stringify({ n: [sessionId, seq] })}\n`);
    writeAtomic(this.outboxPath, marks.join("") + pending.map((e) => `${JSON.stringify({ e })}\n`).join(""));
  }

  loadSessions(): SavedSession[] {
    return readList<SavedSession>(this.sessionsPath);
  }

  saveSessions(sessions: SavedSession[]): void {
    writeAtomic(this.sessionsPath, JSON.stringify(sessions));
  }

  /** The conversations' git worktrees (/new worktree), so a closed conversation's is found after a restart. */
  loadWorktrees(): WorktreeRecord[] {
    return readList<WorktreeRecord>(this.worktreesPath);
  }

  saveWorktrees(records: WorktreeRecord[]): void {
    writeAtomic(this.worktreesPath, JSON.stringify(records));
  }
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A JSON list the agent saved; none when the file is missing or unreadable. */
function readList<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T[];
  } catch {
    return [];
  }
}
