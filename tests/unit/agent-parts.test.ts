import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backoffDelay } from "../../src/agent/backoff";
import { childEnv } from "../../src/agent/child-env";
import { Outbox } from "../../src/agent/outbox";
import { safeName } from "../../src/agent/inbox";
import { ChangedFiles } from "../../src/agent/tool-change";
import { relayUrls } from "../../src/agent/relay-url";
import { toolSummary } from "../../src/agent/tool-summary";
import { RaError } from "../../src/errors";

describe("outbox", () => {
  test("numbers events per session and forgets them when acknowledged", () => {
    const box = new Outbox();
    box.add("a", { kind: "turn.started", turnId: "t" }, 1);
    box.add("a", { kind: "text", turnId: "t", text: "x" }, 2);
    box.add("b", { kind: "turn.started", turnId: "u" }, 3);
    expect(box.unacked().map((e) => [e.sessionId, e.seq])).toEqual([["a", 0], ["a", 1], ["b", 0]]);
    box.ack("a", 0);
    expect(box.unacked().map((e) => [e.sessionId, e.seq])).toEqual([["a", 1], ["b", 0]]);
    box.ack("a", 1);
    box.ack("b", 0);
    expect(box.size).toBe(0);
  });

  test("continues after the relay's seq when the relay knows more (agent restarted)", () => {
    const box = new Outbox();
    box.ack("a", 41);
    expect(box.add("a", { kind: "turn.started", turnId: "t" }, 1)!.seq).toBe(42);
  });
});

describe("backoff", () => {
  test("grows exponentially to a 30 s cap with full jitter", () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(20, () => 0)).toBe(250);
    expect(backoffDelay(5, () => 0.5)).toBe(8000);
  });
});

describe("child environment", () => {
  test("keeps what claude needs and drops ra's secrets and unrelated variables", () => {
    const env = childEnv({ PATH: "/bin", HOME: "/h", RA_BOT_TOKEN: "1:x", RA_CONFIG: "/c", ANTHROPIC_API_KEY: "k", LC_ALL: "C", AWS_SECRET: "s", GITHUB_TOKEN: "g", SECRET: "x" });
    expect(env).toEqual({ PATH: "/bin", HOME: "/h", ANTHROPIC_API_KEY: "k", LC_ALL: "C", AWS_SECRET: "s" });
  });
});

describe("relay URLs", () => {
  test("derive the WebSocket endpoints", () => {
    expect(relayUrls("https://relay.example.com/")).toMatchObject({ base: "https://relay.example.com", agent: "wss://relay.example.com/ws/agent", pair: "wss://relay.example.com/ws/pair" });
    expect(relayUrls("relay.example.com").agent).toBe("wss://relay.example.com/ws/agent");
    expect(relayUrls("http://127.0.0.1:8080").agent).toBe("ws://127.0.0.1:8080/ws/agent");
  });
  test("refuse other schemes with a hint", () => {
    expect(() => relayUrls("ftp://x")).toThrow("relay URLs start with https://");
  });
  test("plain http only to loopback and private addresses, unless forced", () => {
    for (const ok of ["http://127.0.0.1:8080", "http://127.8.9.1", "http://localhost:1", "http://relay.localhost", "http://[::1]:80", "http://10.1.2.3", "http://172.16.0.1", "http://172.31.255.1", "http://192.168.1.20", "http://169.254.1.1", "http://[fd12::1]", "http://[fe80::1]", "http://pi.local", "http://[::ffff:127.0.0.1]", "http://[::ffff:192.168.1.1]"]) {
      expect(relayUrls(ok, {}).agent, ok).toStartWith("ws://");
    }
    for (const bad of ["http://relay.example.com", "http://8.8.8.8", "http://172.32.0.1", "http://172.15.0.1", "http://192.169.0.1", "http://[2001:db8::1]", "http://[::ffff:8.8.8.8]", "http://localhost.example.com", "http://11.0.0.1"]) {
      expect(() => relayUrls(bad, {}), bad).toThrow("is plain http to a public address");
    }
    try {
      relayUrls("http://relay.example.com", {});
    } catch (err) {
      expect((err as RaError).hint).toContain("--insecure-http");
      expect((err as RaError).exitCode).toBe(2);
    }
    expect(relayUrls("http://relay.example.com", { RA_INSECURE_HTTP: "1" }).agent).toBe("ws://relay.example.com/ws/agent");
  });
});

describe("tool summary", () => {
  test("shows the command, the file, the pattern or the URL on one line", () => {
    expect(toolSummary("Bash", { command: "npm test\n  --watch", description: "run" })).toBe("npm test --watch");
    expect(toolSummary("Edit", { file_path: "src/a.ts", old_string: "x" })).toBe("src/a.ts");
    expect(toolSummary("WebFetch", { url: "https://x.y", prompt: "p" })).toBe("https://x.y");
    expect(toolSummary("mcp__srv__tool", { query: "q" })).toBe("q");
    expect(toolSummary("Bash", { command: "x".repeat(300) })).toHaveLength(200);
  });
});

describe("inbox file names", () => {
  test("a sent file keeps its name but can never leave the inbox or hide", () => {
    expect(safeName("report.pdf")).toBe("report.pdf");
    expect(safeName("../../etc/passwd")).toBe("passwd");
    expect(safeName("..\\..\\win.ini")).toBe("win.ini");
    expect(safeName(".bashrc")).toBe("bashrc");
    expect(safeName("a\u0000b\nc.txt")).toBe("abc.txt");
    expect(safeName("..")).toBe("file");
    expect(safeName("")).toBe("file");
    expect(safeName(`${"x".repeat(300)}.png`)).toBe(`${"x".repeat(100)}.png`);
  });
});

describe("files a turn changed", () => {
  test("only writes that succeeded count, each once, newest last, relative to the session's folder", () => {
    const files = new ChangedFiles("/work/p");
    files.started("t1", "Write", { file_path: "/work/p/out/a.md", content: "x" });
    files.started("t2", "Edit", { file_path: "/work/p/src/b.ts", old_string: "a", new_string: "b" });
    files.started("t3", "Read", { file_path: "/work/p/c.txt" });
    files.started("t4", "NotebookEdit", { notebook_path: "/elsewhere/n.ipynb" });
    files.started("t5", "Write", { file_path: "/work/p/out/a.md", content: "y" });
    files.finished("t1", false);
    files.finished("t2", true); // the edit failed: nothing changed
    files.finished("t3", false);
    files.finished("t4", false);
    files.finished("t5", false);
    expect(files.list(8)).toEqual(["/elsewhere/n.ipynb", "out/a.md"]);
    expect(files.list(1)).toEqual(["out/a.md"]);
  });
});

describe("a turn's diff", () => {
  test("a snapshot taken after claude already edited is turned back into the file as it was", () => {
    const dir = mkdtempSync(join(tmpdir(), "ra-diff-"));
    const file = join(dir, "notes.md");
    // The edit already happened when the agent read claude's line: the snapshot shows the new text.
    writeFileSync(file, "one\nTWO\nthree\n");
    const files = new ChangedFiles(dir);
    files.started("e1", "Edit", { file_path: file, old_string: "two", new_string: "TWO" });
    files.finished("e1", false, "The file has been updated.");
    writeFileSync(join(dir, "new.txt"), "hi\n");
    files.started("w1", "Write", { file_path: join(dir, "new.txt"), content: "hi\n" });
    files.finished("w1", false, `File created successfully at: ${join(dir, "new.txt")}`);
    expect(files.diff()).toBe("--- a/notes.md\n+++ b/notes.md\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,1 @@\n+hi\n");
    rmSync(dir, { recursive: true, force: true });
  });
});
