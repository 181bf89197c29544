// The agent's list of claude's own transcripts (sessions started in a terminal), read from files the
// real CLI 2.1.197 wrote (tests/fixtures/claude/transcripts) and from corrupt and foreign ones.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { claudeProjectsDir, listTranscripts, projectDirName } from "../../src/agent/transcripts";
import { excerpt, summarizeTranscript } from "../../src/agent/transcript-summary";
import { MAX_EXCERPT_CHARS } from "../../src/proto/limits";
import { tmpDir } from "../helpers/tmp";

const FIXTURES = resolve(import.meta.dir, "..", "fixtures", "claude", "transcripts");
const REAL_ID = "aea82003-a4af-4c29-9b16-a3e989181f64";
/** The stdin/stdout recordings of the CLI: JSONL, but not a transcript (no entry records a folder). */
const STREAM_RECORDINGS = "/work/shared/reference/claude-transcripts";
/** The folder the fixture was recorded in. */
const RECORDED_CWD = "/home/user/project";

/** A projects dir and a root with folders, and a way to put a transcript of `cwd` into it. */
function machine(dir: string) {
  const projects = join(dir, "projects");
  const root = join(dir, "root");
  mkdirSync(projects, { recursive: true });
  mkdirSync(root, { recursive: true });
  const put = (cwd: string, id: string, text: string, mtimeSec?: number) => {
    const folder = join(projects, projectDirName(cwd));
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${id}.jsonl`);
    writeFileSync(path, text);
    if (mtimeSec !== undefined) utimesSync(path, mtimeSec, mtimeSec);
    return path;
  };
  /** The real fixture, recorded as if claude had run in `cwd`. */
  const putReal = (cwd: string, id = REAL_ID, mtimeSec?: number) => put(cwd, id, readFileSync(join(FIXTURES, `${REAL_ID}.jsonl`), "utf8").replaceAll(RECORDED_CWD, cwd), mtimeSec);
  return { projects, root, put, putReal };
}

const line = (o: unknown) => `${JSON.stringify(o)}\n`;
const user = (cwd: string, content: unknown, extra: Record<string, unknown> = {}) => line({ type: "user", cwd, message: { role: "user", content }, ...extra });
const assistant = (cwd: string, text: string) => line({ type: "assistant", cwd, message: { role: "assistant", content: [{ type: "text", text }] } });

describe("claude's transcripts", () => {
  test("the real CLI's transcript: folder, first prompt, last exchange, size and time", async () => {
    await using dir = tmpDir();
    const m = machine(dir.path);
    const cwd = join(m.root, "fruit");
    mkdirSync(cwd);
    const path = m.putReal(cwd, REAL_ID, 1_700_000_000);
    const { items, skipped } = await listTranscripts({ projectsDir: m.projects, roots: [m.root] });
    expect(skipped).toEqual([]);
    expect(items).toEqual([{
      id: REAL_ID,
      cwd,
      firstPrompt: "remember the word kumquat",
      lastPrompt: "what was the word?",
      lastAnswer: "The word was kumquat, and echo said hi.",
      lastActivity: 1_700_000_000_000,
      size: readFileSync(path).length,
    }]);
  });

  test("newest first, capped, only folders inside the roots (prefix look-alikes and other roots' folders are left out)", async () => {
    await using dir = tmpDir();
    const m = machine(dir.path);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const cwd = join(m.root, `p${i}`);
      mkdirSync(cwd);
      ids.push(`id-${i}`);
      m.put(cwd, `id-${i}`, user(cwd, `prompt ${i}`), 1_700_000_000 + i);
    }
    // "root.x" mangles like "root-x": its folder name starts as the root's does, but it is outside.
    const lookalike = `${m.root}.x`;
    mkdirSync(lookalike);
    m.put(lookalike, "outside", user(lookalike, "not mine"), 1_800_000_000);
    m.put("/elsewhere", "far", user("/elsewhere", "far away"), 1_800_000_000);
    const all = await listTranscripts({ projectsDir: m.projects, roots: [m.root] });
    expect(all.items.map((t) => t.id)).toEqual([...ids].reverse());
    expect(all.items.map((t) => t.firstPrompt)).toEqual(["prompt 4", "prompt 3", "prompt 2", "prompt 1", "prompt 0"]);
    const two = await listTranscripts({ projectsDir: m.projects, roots: [m.root], limit: 2 });
    expect(two.items.map((t) => t.id)).toEqual(["id-4", "id-3"]);
    const one = await listTranscripts({ projectsDir: m.projects, roots: [m.root], only: "id-1" });
    expect(one.items.map((t) => t.id)).toEqual(["id-1"]);
    expect((await listTranscripts({ projectsDir: m.projects, roots: [m.root], only: "outside" })).items).toEqual([]);
  });

  test("corrupt lines are passed over; garbage, empty and foreign files are skipped with a reason; nothing throws", async () => {
    await using dir = tmpDir();
    const m = machine(dir.path);
    const cwd = join(m.root, "work");
    mkdirSync(cwd);
    m.put(cwd, "torn", `{"type":"user","cwd":"${cwd}","message":{"content":"half a li\n${user(cwd, "still here")}\u0000\u0001 binary\n[1,2]\n${assistant(cwd, "answer")}{"type":"assistant"`, 5);
    m.put(cwd, "garbage", "\u0000\u0001\u0002 not json at all\n%%%\n", 4);
    m.put(cwd, "empty", "", 3);
    m.put(cwd, "foreign", readFileSync(join(STREAM_RECORDINGS, "text-turn.jsonl"), "utf8"), 2);
    // A newer claude: unknown entry types and fields, content blocks of kinds never seen.
    m.put(cwd, "newer", line({ type: "hologram", cwd, whatever: [1] }) + user(cwd, [{ type: "sparkle" }, { type: "text", text: "from the future" }], { futureField: true }) + line({ type: "assistant", message: { content: "plain string answer" } }), 1);
    const { items, skipped } = await listTranscripts({ projectsDir: m.projects, roots: [m.root] });
    expect(items.map((t) => [t.id, t.firstPrompt, t.lastAnswer])).toEqual([
      ["torn", "still here", "answer"],
      ["newer", "from the future", "plain string answer"],
    ]);
    expect(skipped).toEqual([
      { id: "garbage", reason: "is not a claude transcript (2 unreadable lines)" },
      { id: "empty", reason: "is empty" },
      { id: "foreign", reason: "records no working folder (written by a claude version ra does not know?)" },
    ]);
  });

  test("every stdin/stdout recording of the CLI is refused with a reason, never thrown", async () => {
    for (const name of readdirSync(STREAM_RECORDINGS)) {
      const path = join(STREAM_RECORDINGS, name);
      const summary = await summarizeTranscript(path, readFileSync(path).length);
      expect(summary).toEqual({ reason: "records no working folder (written by a claude version ra does not know?)" });
    }
    expect(await summarizeTranscript("/nonexistent/file.jsonl", 10)).toEqual({ reason: expect.stringContaining("could not be read") });
  });

  test("tool results, meta entries, slash-command echoes and interruptions are not prompts", async () => {
    await using dir = tmpDir();
    const m = machine(dir.path);
    const cwd = m.root;
    m.put(cwd, "s", [
      user(cwd, "<command-name>/clear</command-name>"),
      user(cwd, "real first"),
      assistant(cwd, "first answer"),
      user(cwd, "real last"),
      assistant(cwd, "working on it"),
      user(cwd, [{ type: "tool_result", tool_use_id: "t", content: "output" }]),
      user(cwd, "caveat", { isMeta: true }),
      user(cwd, "[Request interrupted by user]"),
      user(cwd, "subagent prompt", { isSidechain: true }),
      assistant(cwd, "done\n\nwith   spaces"),
    ].join(""));
    const [item] = (await listTranscripts({ projectsDir: m.projects, roots: [m.root] })).items;
    expect(item).toMatchObject({ firstPrompt: "real first", lastPrompt: "real last", lastAnswer: "done with spaces" });
  });

  test("a vanished folder still lists, marked missing; a symlinked folder lists under its real path", async () => {
    await using dir = tmpDir();
    const m = machine(dir.path);
    m.put(join(m.root, "gone"), "gone", user(join(m.root, "gone"), "hello"), 2);
    const real = join(m.root, "real");
    mkdirSync(real);
    symlinkSync(real, join(dir.path, "link"));
    // Claude ran in a link outside the roots that points inside: listed under the real folder.
    m.put(join(dir.path, "link"), "linked", user(join(dir.path, "link"), "via link"), 1);
    const { items } = await listTranscripts({ projectsDir: m.projects, roots: [m.root, dir.path] });
    expect(items.map((t) => [t.id, t.cwd, t.missing ?? false])).toEqual([["gone", join(m.root, "gone"), true], ["linked", real, false]]);
  });

  test("a large transcript (over 8 MB, read at its head and tail) still gives the first prompt and the last exchange", async () => {
    await using dir = tmpDir();
    const m = machine(dir.path);
    const cwd = m.root;
    const filler = assistant(cwd, "x".repeat(100_000));
    const body = [user(cwd, "the very first"), ...Array.from({ length: 100 }, () => filler), user(cwd, "the very last"), assistant(cwd, "bye")].join("");
    expect(body.length).toBeGreaterThan(8 * 1024 * 1024);
    m.put(cwd, "big", body);
    const [item] = (await listTranscripts({ projectsDir: m.projects, roots: [m.root] })).items;
    expect(item).toMatchObject({ firstPrompt: "the very first", lastPrompt: "the very last", lastAnswer: "bye", size: body.length });
  });

  test("no projects folder: an empty list; a bad id asked for: an empty list", async () => {
    expect(await listTranscripts({ projectsDir: "/nonexistent/projects", roots: ["/tmp"] })).toEqual({ items: [], skipped: [] });
    expect(await listTranscripts({ projectsDir: "/tmp", roots: ["/tmp"], only: "../etc/passwd" })).toEqual({ items: [], skipped: [] });
  });

  test("where claude keeps them: CLAUDE_CONFIG_DIR wins over HOME; folder names as claude mangles them", () => {
    expect(claudeProjectsDir({ HOME: "/home/a" })).toBe("/home/a/.claude/projects");
    expect(claudeProjectsDir({ HOME: "/home/a", CLAUDE_CONFIG_DIR: "/cfg" })).toBe("/cfg/projects");
    // Observed with the real CLI: /tmp/desk-probe-cwd/my.proj_x -> -tmp-desk-probe-cwd-my-proj-x
    expect(projectDirName("/tmp/desk-probe-cwd/my.proj_x")).toBe("-tmp-desk-probe-cwd-my-proj-x");
  });

  test("excerpts are one line and capped without splitting a character", () => {
    expect(excerpt("a\n\n b")).toBe("a b");
    const long = excerpt(`${"a".repeat(MAX_EXCERPT_CHARS - 2)}😀😀`);
    expect(long.length).toBeLessThanOrEqual(MAX_EXCERPT_CHARS);
    expect(long.endsWith("…")).toBe(true);
    expect(long).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});
