// /new worktree through the compiled binary and the real claude CLI, in a folder that is a git
// repository: claude's Write lands in the conversation's own worktree (not the main folder), a
// second worktree conversation gets another one, /close refuses a running turn, removes a clean
// worktree, keeps a dirty one and says where, and a machine offline at close time removes the
// worktree when it is back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
let top = "";
beforeAll(async () => {
  stack = await startStack();
  top = realpathSync(stack.workdir);
  writeFileSync(join(top, "README.md"), "# project\n");
  for (const args of [["init", "-q", "-b", "main"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "first"]]) {
    const proc = Bun.spawnSync(["git", "-C", top, ...args], { stderr: "pipe" });
    if (proc.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${proc.stderr.toString()}`);
  }
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const newMessage = async (pattern: RegExp) => {
  const before = stack.messages(pattern).length;
  return stack.telegram.waitFor(() => stack.messages(pattern)[before], { timeoutMs: 30_000, message: `a new message matching ${pattern}` });
};
/** The relay's id of conversation #n (its worktree's name on the machine). */
const sessionId = (n: number) => {
  const db = new Database(join(stack.relayDir, "relay.db"), { readonly: true });
  try {
    return (db.query("SELECT id FROM sessions WHERE number = ?").get(n) as { id: string }).id;
  } finally {
    db.close();
  }
};
const worktreeOf = (n: number) => join(top, ".ra", "worktrees", sessionId(n));
const branches = () => Bun.spawnSync(["git", "-C", top, "branch", "--format=%(refname:short)"]).stdout.toString().trim().split("\n");
const gitStatus = () => Bun.spawnSync(["git", "-C", top, "status", "--porcelain"]).stdout.toString();

describe("/new worktree", () => {
  test("claude works in the conversation's own worktree: its Write lands there, not in the main folder", async () => {
    stack.telegram.userText(OWNER, "/new worktree");
    await stack.waitForText(/🆕 Fresh conversation with laptop \(#1 🌿 · 📁 .*\) in a git worktree of its own/);
    stack.telegram.userText(OWNER, "/mode acceptEdits");
    await stack.waitForText(/Permission mode is now acceptEdits/);
    const path = worktreeOf(1);
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: join(path, "hello.txt"), content: "from the worktree\n" } } }], [{ text: "Wrote hello.txt." }]);
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "write hello.txt");
    const done = await stack.messageWith(/Wrote hello\.txt\.[\s\S]*✅ laptop/);
    expect(done.text).toContain("#1 🌿 · 📁 ");
    // claude was told the worktree is its working directory.
    expect(JSON.stringify((await stack.model.waitForRequest(seen + 1)).body?.system)).toContain(path);
    expect(readFileSync(join(path, "hello.txt"), "utf8")).toBe("from the worktree\n");
    expect(existsSync(join(top, "hello.txt"))).toBe(false);
    expect(branches()).toEqual(["main", `ra/${sessionId(1)}`]);
    // The main checkout stays clean: the worktrees folder is excluded.
    expect(gitStatus()).toBe("");
    // /get reads the conversation's folder as claude sees it: the worktree's.
    stack.telegram.userText(OWNER, "/get hello.txt");
    const doc = await stack.telegram.waitFor(() => stack.telegram.documents(OWNER).find((d) => d.file_name === "hello.txt"), { timeoutMs: 30_000, message: "hello.txt as a document" });
    expect(doc.text).toBe("from the worktree\n");
  });

  test("a second worktree conversation on the same repository gets a worktree of its own", async () => {
    stack.telegram.userText(OWNER, "/new wt");
    await stack.waitForText(/Fresh conversation with laptop \(#2 🌿 · /);
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "where is this one");
    await stack.messageWith(/echo: where is this one[\s\S]*✅ laptop.*#2 🌿/);
    const path = worktreeOf(2);
    expect(path).not.toBe(worktreeOf(1));
    expect(existsSync(join(path, ".git"))).toBe(true);
    expect(existsSync(join(path, "hello.txt"))).toBe(false);
    expect(JSON.stringify((await stack.model.waitForRequest(seen + 1)).body?.system)).toContain(path);
  });

  test("/close of a conversation running a turn is refused; the turn goes on", async () => {
    stack.model.enqueue({ blocks: [{ text: "Still busy." }], stall: true });
    const before = stack.model.requests.length;
    stack.telegram.userText(OWNER, "take your time");
    await stack.model.waitForRequest(before + 1);
    await stack.messageWith(/Still busy\.[\s\S]*⏳ laptop running/);
    const refused = newMessage(/is running a turn/);
    stack.telegram.userText(OWNER, "/close");
    expect((await refused).text).toBe("#2 is running a turn: /stop it first (or its ⏹ Stop button), then /close.");
    stack.model.release();
    await stack.messageWith(/Still busy\.[\s\S]*✅ laptop/);
    expect(existsSync(worktreeOf(2))).toBe(true);
  });

  test("/close removes a clean worktree and its branch", async () => {
    const path = worktreeOf(2);
    const closed = newMessage(/✖️ Closed #2/);
    stack.telegram.userText(OWNER, "/close");
    expect((await closed).text).toContain("laptop removes its git worktree if nothing in it is left uncommitted or unmerged");
    await stack.agent.waitFor(/removed its worktree \S+ and branch ra\/\S+/, "the agent to remove the clean worktree");
    expect(existsSync(path)).toBe(false);
    expect(branches()).toEqual(["main", `ra/${sessionId(1)}`]);
  });

  test("/close keeps a worktree with uncommitted changes and says where it is and how to remove it", async () => {
    const path = worktreeOf(1);
    const kept = newMessage(/The worktree of this closed conversation is kept/);
    stack.telegram.userText(OWNER, "/close 1");
    const notice = (await kept).text!;
    expect(notice).toContain("it has uncommitted changes (1 file)");
    expect(notice).toContain(`It is ${path} (branch ra/${sessionId(1)})`);
    expect(notice).toContain(`git -C ${top} worktree remove --force ${path}`);
    expect(readFileSync(join(path, "hello.txt"), "utf8")).toBe("from the worktree\n");
  });

  test("a machine offline when its worktree conversation is closed removes the worktree once it is back", async () => {
    stack.telegram.userText(OWNER, "/new worktree");
    await stack.waitForText(/Fresh conversation with laptop \(#3 🌿 · /);
    stack.telegram.userText(OWNER, "a short one");
    await stack.messageWith(/echo: a short one[\s\S]*✅ laptop.*#3 🌿/);
    const path = worktreeOf(3);
    expect(existsSync(path)).toBe(true);
    stack.agent.kill("SIGKILL");
    await stack.agent.exitCode();
    const closed = newMessage(/✖️ Closed #3/);
    stack.telegram.userText(OWNER, "/close");
    await closed;
    expect(existsSync(path)).toBe(true);
    const agent = await stack.restartAgent();
    await agent.waitFor(/removed its worktree \S+ and branch ra\/\S+/, "the agent back online to remove the closed conversation's worktree");
    expect(existsSync(path)).toBe(false);
  });
});
