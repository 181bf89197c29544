import { realpathSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { MAX_TRANSCRIPTS } from "../proto/limits";
import { insideRoots } from "./limits";
import { summarizeTranscript, type TranscriptSummary } from "./transcript-summary";

/** A conversation claude keeps on this machine (started in a terminal, or by ra). */
export type TranscriptInfo = TranscriptSummary & {
  /** claude's session id: what `claude --resume` takes. */
  id: string;
  /** When the file last changed, ms since epoch. */
  lastActivity: number;
  size: number;
  /** The folder no longer exists. */
  missing?: boolean;
};

export type TranscriptSkip = { id: string; reason: string };
export type TranscriptList = { items: TranscriptInfo[]; skipped: TranscriptSkip[] };

/** claude's session ids as file names (uuids; anything else is no session of claude's). */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Where claude keeps its transcripts for an environment: $CLAUDE_CONFIG_DIR/projects or ~/.claude/projects. */
export function claudeProjectsDir(env: Record<string, string | undefined>): string {
  if (env.CLAUDE_CONFIG_DIR) return join(resolve(env.CLAUDE_CONFIG_DIR), "projects");
  return join(env.HOME || homedir(), ".claude", "projects");
}

/** The folder name claude gives a cwd's transcripts: every character but letters and digits becomes "-". */
export const projectDirName = (cwd: string) => cwd.replace(/[^A-Za-z0-9]/g, "-");

type Candidate = { id: string; path: string; mtime: number; size: number };

/**
 * claude's transcripts whose folder is inside the machine's roots, newest first, at most `limit`
 * (or the one with id `only`). Unreadable ones are skipped with the reason; never throws.
 */
export async function listTranscripts(options: { projectsDir: string; roots: string[]; limit?: number; only?: string }): Promise<TranscriptList> {
  const limit = Math.min(options.limit ?? MAX_TRANSCRIPTS, MAX_TRANSCRIPTS);
  if (options.only !== undefined && !SESSION_ID.test(options.only)) return { items: [], skipped: [] };
  const candidates = await candidatesOf(options.projectsDir, options.roots, options.only);
  const items: TranscriptInfo[] = [];
  const skipped: TranscriptSkip[] = [];
  // Transcripts of folders outside the roots can share a prefix: read a bounded number more.
  for (const c of candidates.slice(0, limit * 3)) {
    if (items.length >= limit) break;
    const summary = await summarizeTranscript(c.path, c.size);
    if ("reason" in summary) {
      skipped.push({ id: c.id, reason: summary.reason });
      continue;
    }
    const where = placed(options.roots, summary.cwd);
    if (!where) continue;
    items.push({ ...summary, id: c.id, cwd: where.cwd, lastActivity: c.mtime, size: c.size, ...(where.missing ? { missing: true } : {}) });
  }
  return { items, skipped };
}

/** The transcript's folder if it lies inside the roots (symlinks followed while it exists). */
function placed(roots: string[], cwd: string): { cwd: string; missing: boolean } | undefined {
  let real: string;
  let missing = false;
  try {
    real = realpathSync(cwd);
  } catch {
    real = resolve(cwd);
    missing = true;
  }
  return insideRoots({ roots, maxMode: "plan" }, real) ? { cwd: real, missing } : undefined;
}

/** Transcript files in the project folders that can belong to a folder under the roots, newest first. */
async function candidatesOf(projectsDir: string, roots: string[], only: string | undefined): Promise<Candidate[]> {
  const prefixes = roots.map(projectDirName);
  const dirs = (await readdir(projectsDir, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory() && prefixes.some((p) => d.name === p || d.name.startsWith(`${p}-`)));
  const found: Candidate[] = [];
  for (const dir of dirs) {
    const folder = join(projectsDir, dir.name);
    const files = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const file of files) {
      const id = file.name.endsWith(".jsonl") ? file.name.slice(0, -".jsonl".length) : "";
      if (!file.isFile() || !SESSION_ID.test(id) || (only !== undefined && id !== only)) continue;
      const info = await stat(join(folder, file.name)).catch(() => undefined);
      if (info) found.push({ id, path: join(folder, file.name), mtime: info.mtimeMs, size: info.size });
    }
  }
  return found.sort((a, b) => b.mtime - a.mtime);
}
