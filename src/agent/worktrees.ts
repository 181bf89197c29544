import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { Log } from "../log";

/** Runs git with `args` in `cwd`: the seam the unit tests swap or run for real. */
export type Git = (args: string[], cwd: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** One conversation's worktree, as persisted: where it is and what it came from. */
export type WorktreeRecord = { sessionId: string; top: string; path: string; branch: string };

/** What close does with a worktree: removed (clean, no commits of its own), or kept and why (the owner is told). */
export type WorktreeClosed = { removed: true } | { kept: string };

export type WorktreesDeps = {
  git?: Git;
  log: Log;
  saved?: WorktreeRecord[];
  save?(records: WorktreeRecord[]): void;
  /** Why a folder may not hold a worktree (outside the machine's roots), or undefined when it may. */
  refuse?(path: string): string | undefined;
};

/** Under each repository's top folder; kept out of `git status` through `.git/info/exclude`. */
const FOLDER = join(".ra", "worktrees");
const EXCLUDE_LINE = "/.ra/worktrees/";

export const realGit: Git = async (args, cwd) => {
  const proc = Bun.spawn(["git", "-C", cwd, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
};

/**
 * `/new worktree` conversations: each runs claude in its own git worktree of its folder's
 * repository, at a path (and branch) made from the session id, so a revived or restarted claude
 * finds it again. Closing removes a clean one; one with work in it is kept and said where.
 */
export class Worktrees {
  private readonly records = new Map<string, WorktreeRecord>();
  private readonly git: Git;

  constructor(private readonly deps: WorktreesDeps) {
    this.git = deps.git ?? realGit;
    for (const r of deps.saved ?? []) this.records.set(r.sessionId, r);
  }

  /** Conversations whose worktree exists on this machine (the relay hears of them in the hello). */
  held(): string[] {
    return [...this.records.keys()];
  }

  /** The folder claude runs in for this conversation: the same subfolder of its worktree as `cwd` is of the repository. */
  async prepare(sessionId: string, cwd: string): Promise<{ cwd: string } | { error: string }> {
    const top = await this.git(["rev-parse", "--show-toplevel"], cwd);
    if (top.code !== 0) return { error: `📁 ${cwd} is not in a git repository: /new worktree needs one; /new starts a plain conversation` };
    const root = realpathSync(top.stdout.trim());
    const path = join(root, FOLDER, sessionId);
    const refusal = this.deps.refuse?.(path);
    if (refusal) return { error: `a worktree for this conversation would be at ${path}: ${refusal}` };
    const branch = `ra/${sessionId}`;
    if (!existsSync(join(path, ".git"))) {
      const made = await this.add(root, path, branch);
      if (made) return { error: `could not make a git worktree at ${path}: ${made}` };
      this.deps.log.info(`session ${sessionId}: made the git worktree ${path} (branch ${branch})`);
    }
    this.records.set(sessionId, { sessionId, top: root, path, branch });
    this.persist();
    const inside = join(path, relative(root, realpathSync(cwd)));
    mkdirSync(inside, { recursive: true });
    return { cwd: inside };
  }

  /** Where a folder of the repository is in this conversation's worktree (`cwd` itself when it has none): /get reads there. */
  folderFor(sessionId: string, cwd: string): string {
    const record = this.records.get(sessionId);
    const rel = record && relative(record.top, cwd);
    if (!record || rel === undefined || rel.startsWith("..") || isAbsolute(rel)) return cwd;
    const inside = join(record.path, rel);
    return existsSync(inside) ? inside : cwd;
  }

  /** The conversation was closed: its worktree goes, unless it holds work that is nowhere else. */
  async remove(sessionId: string): Promise<WorktreeClosed | undefined> {
    const record = this.records.get(sessionId);
    if (!record) return undefined;
    const { top, path, branch } = record;
    const git = (args: string[]) => this.git(args, top);
    const left: string[] = [];
    if (existsSync(path)) {
      const status = await this.git(["status", "--porcelain"], path);
      if (status.code !== 0) left.push(`git status failed there (${status.stderr.trim().split("\n")[0]})`);
      else if (status.stdout.trim()) left.push(`uncommitted changes (${plural(status.stdout.trim().split("\n").length, "file")})`);
    }
    const own = await this.ownCommits(top, branch);
    if (own > 0) left.push(`${plural(own, "commit")} on ${branch} that no other branch has`);
    if (left.length > 0) {
      this.deps.log.info(`session ${sessionId}: its worktree ${path} is kept (${left.join("; ")})`);
      return { kept: `🌿 The worktree of this closed conversation is kept: it has ${left.join(" and ")}. It is ${path} (branch ${branch}). Merge or copy what you want, then remove it on the machine with: git -C ${top} worktree remove --force ${path} && git -C ${top} branch -D ${branch}` };
    }
    if (existsSync(path)) {
      const removed = await git(["worktree", "remove", path]);
      if (removed.code !== 0) return { kept: `🌿 The worktree of this closed conversation could not be removed (${removed.stderr.trim().split("\n")[0]}). It is ${path} (branch ${branch}); remove it on the machine with: git -C ${top} worktree remove --force ${path} && git -C ${top} branch -D ${branch}` };
    }
    await git(["worktree", "prune"]);
    await git(["branch", "-D", branch]);
    this.records.delete(sessionId);
    this.persist();
    try {
      rmdirSync(join(top, FOLDER));
    } catch {
      // Other conversations' worktrees are still there.
    }
    this.deps.log.info(`session ${sessionId}: removed its worktree ${path} and branch ${branch}`);
    return { removed: true };
  }

  /** Commits on the branch that no other branch (nor the main checkout's HEAD) has; 0 when the branch is gone. */
  private async ownCommits(top: string, branch: string): Promise<number> {
    const exists = await this.git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], top);
    if (exists.code !== 0) return 0;
    const refs = await this.git(["for-each-ref", "--format=%(refname)", "refs/heads/"], top);
    const others = refs.stdout.split("\n").filter((r) => r && r !== `refs/heads/${branch}`);
    const count = await this.git(["rev-list", "--count", `refs/heads/${branch}`, "--not", "HEAD", ...others], top);
    // Unsure (git failed): count it as work to keep.
    return count.code === 0 ? Number(count.stdout.trim()) : 1;
  }

  /** Makes the worktree (reusing the branch when it is still there); the reason on failure. */
  private async add(top: string, path: string, branch: string): Promise<string | undefined> {
    this.exclude(top, (await this.git(["rev-parse", "--git-path", "info/exclude"], top)).stdout.trim());
    // A worktree folder deleted by hand leaves its registration behind, which would block the path.
    await this.git(["worktree", "prune"], top);
    const hasBranch = (await this.git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], top)).code === 0;
    const added = await this.git(hasBranch ? ["worktree", "add", path, branch] : ["worktree", "add", "-b", branch, path, "HEAD"], top);
    if (added.code === 0) return undefined;
    const why = added.stderr.trim().split("\n").filter(Boolean).at(-1) ?? `git exited with ${added.code}`;
    return /invalid reference: HEAD|not a valid object name: 'HEAD'/i.test(added.stderr) ? "the repository has no commit yet; commit once, then send the prompt again" : why;
  }

  /** Keeps the worktrees folder out of the repository's `git status` (a local exclude, never a committed file). */
  private exclude(top: string, file: string): void {
    if (!file) return;
    const path = resolve(top, file);
    try {
      const text = existsSync(path) ? readFileSync(path, "utf8") : "";
      if (text.split("\n").includes(EXCLUDE_LINE)) return;
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, `${text && !text.endsWith("\n") ? "\n" : ""}${EXCLUDE_LINE}\n`);
    } catch (err) {
      this.deps.log.warn(`could not add ${EXCLUDE_LINE} to ${path}: ${(err as Error).message}`);
    }
  }

  private persist(): void {
    this.deps.save?.([...this.records.values()]);
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
