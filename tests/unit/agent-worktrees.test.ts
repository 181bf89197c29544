// /new worktree on the machine, against a real `git` in a temp folder: the worktree is made once
// per conversation at a path from its id (found again later, made again when deleted by hand), in
// the same subfolder, kept out of `git status`; a folder outside any repository, an empty
// repository or one outside the roots is refused; closing removes a clean worktree and its branch
// and keeps one with uncommitted changes or commits of its own, saying where and how to remove it.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLog } from "../../src/log";
import { PendingApprovals } from "../../src/agent/approvals";
import { AgentSessions } from "../../src/agent/sessions";
import { systemClock } from "../../src/clock";
import type { SessionEvent } from "../../src/proto";
import type { Runner, RunnerSessionOptions } from "../../src/runner/types";
import { realGit, Worktrees, type WorktreeRecord } from "../../src/agent/worktrees";
import { tmpDir } from "../helpers/tmp";

const dirs: ReturnType<typeof tmpDir>[] = [];
afterAll(async () => {
  for (const d of dirs) await d[Symbol.asyncDispose]();
});

const ID = ["-c", "user.name=ra test", "-c", "user.email=ra@test"];
async function git(cwd: string, ...args: string[]) {
  const r = await realGit([...ID, ...args], cwd);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with one commit and a subfolder `app`. */
async function repo(commit = true) {
  const dir = tmpDir("ra-wt-");
  dirs.push(dir);
  const top = realpathSync(dir.path);
  await git(top, "init", "-q", "-b", "main");
  mkdirSync(join(top, "app"));
  writeFileSync(join(top, "app", "index.ts"), "export {};\n");
  if (commit) {
    await git(top, "add", ".");
    await git(top, "commit", "-q", "-m", "first");
  }
  return top;
}

function worktrees(extra: { saved?: WorktreeRecord[]; refuse?: (path: string) => string | undefined } = {}) {
  let saved: WorktreeRecord[] = [];
  const w = new Worktrees({ log: createLog("test"), save: (r) => void (saved = r), ...extra });
  return { w, saved: () => saved };
}

const branches = (top: string) => git(top, "branch", "--format=%(refname:short)").then((s) => s.split("\n"));

describe("worktrees with a real git", () => {
  test("a folder outside any git repository is refused, saying what to do instead", async () => {
    const dir = tmpDir("ra-nogit-");
    dirs.push(dir);
    const { w } = worktrees();
    expect(await w.prepare("s1", dir.path)).toEqual({ error: `📁 ${dir.path} is not in a git repository: /new worktree needs one; /new starts a plain conversation` });
    expect(w.held()).toEqual([]);
  });

  test("made once per conversation under .ra/worktrees of the repository, in the same subfolder, out of git status", async () => {
    const top = await repo();
    const { w, saved } = worktrees();
    const first = await w.prepare("s1", join(top, "app"));
    const path = join(top, ".ra", "worktrees", "s1");
    expect(first).toEqual({ cwd: join(path, "app") });
    expect(readFileSync(join(path, "app", "index.ts"), "utf8")).toBe("export {};\n");
    expect(await git(path, "rev-parse", "--abbrev-ref", "HEAD")).toBe("ra/s1");
    expect(await git(top, "status", "--porcelain")).toBe("");
    expect(readFileSync(join(top, ".git", "info", "exclude"), "utf8").split("\n")).toContain("/.ra/worktrees/");
    // Again (a revived claude): the same one, nothing new.
    expect(await w.prepare("s1", join(top, "app"))).toEqual(first);
    expect(await branches(top)).toEqual(["main", "ra/s1"]);
    // Another conversation on the same repository gets its own.
    expect(await w.prepare("s2", top)).toEqual({ cwd: join(top, ".ra", "worktrees", "s2") });
    expect(saved().map((r) => r.sessionId)).toEqual(["s1", "s2"]);
    expect(readFileSync(join(top, ".git", "info", "exclude"), "utf8").split("\n").filter((l) => l === "/.ra/worktrees/")).toHaveLength(1);
  });

  test("a worktree deleted by hand is made again on its branch; a restarted agent knows its worktrees from what was saved", async () => {
    const top = await repo();
    const { w, saved } = worktrees();
    await w.prepare("s1", top);
    const path = join(top, ".ra", "worktrees", "s1");
    writeFileSync(join(path, "note.txt"), "x\n");
    await git(path, "add", ".");
    await git(path, "commit", "-q", "-m", "on the branch");
    rmSync(path, { recursive: true, force: true });
    const again = new Worktrees({ log: createLog("test"), saved: saved() });
    expect(again.held()).toEqual(["s1"]);
    expect(await again.prepare("s1", top)).toEqual({ cwd: path });
    expect(readFileSync(join(path, "note.txt"), "utf8")).toBe("x\n");
  });

  test("an empty repository or a worktree outside the machine's roots is refused; nothing is made", async () => {
    const empty = await repo(false);
    const { w } = worktrees();
    const refused = await w.prepare("s1", empty);
    expect("error" in refused && refused.error).toContain("no commit yet; commit once, then send the prompt again");
    const top = await repo();
    const fenced = worktrees({ refuse: () => "outside the folders this machine allows" }).w;
    expect(await fenced.prepare("s1", top)).toEqual({ error: `a worktree for this conversation would be at ${join(top, ".ra", "worktrees", "s1")}: outside the folders this machine allows` });
    expect(existsSync(join(top, ".ra"))).toBe(false);
    expect(w.held()).toEqual([]);
  });

  test("closing removes a clean worktree and its branch; a merged branch counts as clean", async () => {
    const top = await repo();
    const { w, saved } = worktrees();
    await w.prepare("s1", top);
    await w.prepare("s2", top);
    const merged = join(top, ".ra", "worktrees", "s2");
    writeFileSync(join(merged, "done.txt"), "merged\n");
    await git(merged, "add", ".");
    await git(merged, "commit", "-q", "-m", "merged work");
    await git(top, "merge", "-q", "--ff-only", "ra/s2");
    expect(await w.remove("s1")).toEqual({ removed: true });
    expect(await w.remove("s2")).toEqual({ removed: true });
    expect(existsSync(join(top, ".ra", "worktrees"))).toBe(false);
    expect(await branches(top)).toEqual(["main"]);
    expect(saved()).toEqual([]);
    expect(await w.remove("s1")).toBeUndefined();
  });

  test("a worktree with uncommitted changes or commits of its own is kept, and the owner is told where and how to remove it", async () => {
    const top = await repo();
    const { w } = worktrees();
    await w.prepare("dirty", top);
    await w.prepare("ahead", top);
    const dirty = join(top, ".ra", "worktrees", "dirty");
    const ahead = join(top, ".ra", "worktrees", "ahead");
    writeFileSync(join(dirty, "draft.txt"), "not committed\n");
    writeFileSync(join(ahead, "feature.txt"), "committed\n");
    await git(ahead, "add", ".");
    await git(ahead, "commit", "-q", "-m", "feature");

    const keptDirty = await w.remove("dirty");
    expect(keptDirty).toEqual({ kept: `🌿 The worktree of this closed conversation is kept: it has uncommitted changes (1 file). It is ${dirty} (branch ra/dirty). Merge or copy what you want, then remove it on the machine with: git -C ${top} worktree remove --force ${dirty} && git -C ${top} branch -D ra/dirty` });
    const keptAhead = await w.remove("ahead");
    expect("kept" in keptAhead! && keptAhead.kept).toContain("it has 1 commit on ra/ahead that no other branch has.");
    expect(existsSync(join(dirty, "draft.txt"))).toBe(true);
    expect(existsSync(join(ahead, "feature.txt"))).toBe(true);
    expect(await branches(top)).toEqual(["main", "ra/ahead", "ra/dirty"]);
    expect(w.held().sort()).toEqual(["ahead", "dirty"]);
  });
});

describe("worktree conversations in the agent's sessions", () => {
  /** Sessions with a runner that only records where claude was started; `ended` and `started` resolve when that happens. */
  function agent(root: string, saved: WorktreeRecord[] = []) {
    let onStart: (options: RunnerSessionOptions) => void = () => {};
    const started = new Promise<RunnerSessionOptions>((resolve) => (onStart = resolve));
    const runner: Runner = {
      start(options) {
        onStart(options);
        return { pid: 1, exited: new Promise(() => {}), send() {}, interrupt: async () => {}, setMode: async () => true, close: async () => {}, onEvent: () => () => {} };
      },
    };
    const waiters = new Map<string, (e: SessionEvent) => void>();
    const emit = (_: string, event: SessionEvent) => {
      if (event.kind === "turn.ended") waiters.get(event.turnId)?.(event);
    };
    const log = createLog("test");
    let savedNow: WorktreeRecord[] = saved;
    const worktrees = new Worktrees({ log, saved, save: (r) => void (savedNow = r) });
    const sessions = new AgentSessions({ runner, approvals: new PendingApprovals({ emit, timeoutMs: 60_000, log, clock: systemClock }), limits: { roots: [root], maxMode: "acceptEdits" }, env: {}, clock: systemClock, log, emit, worktrees });
    const ended = (turnId: string) => new Promise<SessionEvent>((resolve) => waiters.set(turnId, resolve));
    return { sessions, started, ended, saved: () => savedNow };
  }

  test("outside a repository the turn fails saying what to do; nothing is held", async () => {
    const dir = tmpDir("ra-nogit-");
    dirs.push(dir);
    const root = realpathSync(dir.path);
    const { sessions, ended } = agent(root);
    const end = ended("t1");
    sessions.prompt({ v: 1, type: "prompt", sessionId: "s1", turnId: "t1", text: "hi", worktree: true });
    expect(await end).toMatchObject({ kind: "turn.ended", status: "failed", error: `📁 ${root} is not in a git repository: /new worktree needs one; /new starts a plain conversation` });
    expect(sessions.list()).toEqual([]);
  });

  test("claude starts in the worktree; a restarted agent's hello lists the conversation while its worktree exists", async () => {
    const top = await repo();
    const first = agent(top);
    first.sessions.prompt({ v: 1, type: "prompt", sessionId: "s1", turnId: "t1", text: "hi", cwd: join(top, "app"), worktree: true });
    expect((await first.started).cwd).toBe(join(top, ".ra", "worktrees", "s1", "app"));
    const again = agent(top, first.saved());
    expect(again.sessions.list()).toEqual([{ sessionId: "s1", busy: false }]);
  });
});
