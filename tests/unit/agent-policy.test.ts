// The machine's local tool policy: paths resolved on a real file system (symlinks, `..`, files
// that do not exist yet), rules in claude's syntax, plan mode, and the gate in front of the owner.
import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { claudeDisallowedTools, decide, type ToolPolicy } from "../../src/agent/policy";
import { buildPolicy, readPolicyFile } from "../../src/agent/policy-file";
import { policyGate } from "../../src/agent/policy-gate";
import { realPath, realPaths, toolPaths as pathsOf } from "../../src/agent/policy-paths";
import { claudeRuleText, parseRule, subcommands } from "../../src/agent/policy-rules";
import type { PermissionHandler } from "../../src/runner/permission";
import { tmpDir } from "../helpers/tmp";

/** root/ (the allowed folder) with a file, links out of it, and outside/ next to it with a secret. */
function layout(base: string) {
  const root = join(base, "root");
  const outside = join(base, "outside");
  mkdirSync(join(root, "src"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, "src", "a.ts"), "a");
  writeFileSync(join(outside, "secret"), "s");
  symlinkSync(join(outside, "secret"), join(root, "file-link"));
  symlinkSync(outside, join(root, "dir-link"));
  symlinkSync(join(outside, "not-yet"), join(root, "dangling"));
  symlinkSync("src", join(root, "inner-link"));
  return { root, outside };
}

const policyOf = (root: string, rules: { deny?: string[]; allow?: string[] } = {}): ToolPolicy =>
  buildPolicy({ roots: [root], denyFlags: rules.deny ?? [], allowFlags: rules.allow ?? [] });

const verdict = (policy: ToolPolicy, toolName: string, input: Record<string, unknown>, mode: "default" | "plan" | "acceptEdits" = "default") =>
  decide(policy, { toolName, input }, { cwd: policy.roots[0]!, mode });

describe("where a tool call's paths really lead", () => {
  test("symlinks, `..` after a symlink, dangling links and files that do not exist yet", async () => {
    await using dir = tmpDir();
    const { root, outside } = layout(dir.path);
    expect(realPath(join(root, "src", "a.ts"))).toBe(join(root, "src", "a.ts"));
    expect(realPath(join(root, "file-link"))).toBe(join(outside, "secret"));
    expect(realPath(join(root, "dir-link", "new.txt"))).toBe(join(outside, "new.txt"));
    expect(realPath(join(root, "dangling"))).toBe(join(outside, "not-yet"));
    expect(realPath(join(root, "inner-link", "a.ts"))).toBe(join(root, "src", "a.ts"));
    // The kernel takes `..` from the link's target, not lexically: dir-link/.. is outside's parent.
    expect(realPath(`${root}/dir-link/../outside/secret`)).toBe(join(outside, "secret"));
    expect(realPath(`${root}/nope/deeper/x.txt`)).toBe(join(root, "nope", "deeper", "x.txt"));
    expect(realPath(`${root}/nope/../../outside/x`)).toBe(join(outside, "x"));
    // A program that normalizes first ends up elsewhere than the kernel: both places count.
    expect(realPaths(`${root}/dir-link/../src/a.ts`).sort()).toEqual([join(dir.path, "src", "a.ts"), join(root, "src", "a.ts")].sort());
  });

  test("which inputs are paths: file_path, notebook_path, path, and the folder of a Glob pattern", () => {
    const toolPaths = (...args: Parameters<typeof pathsOf>) => pathsOf(...args).map((p) => normalize(p));
    expect(toolPaths("Read", { file_path: "src/a.ts" }, "/w")).toEqual(["/w/src/a.ts"]);
    expect(toolPaths("NotebookEdit", { notebook_path: "/n.ipynb" }, "/w")).toEqual(["/n.ipynb"]);
    expect(toolPaths("Grep", { pattern: "../../etc/passwd", path: "lib" }, "/w")).toEqual(["/w/lib"]);
    expect(toolPaths("Glob", { pattern: "../../etc/*.conf" }, "/w/a")).toEqual(["/etc"]);
    expect(toolPaths("Glob", { pattern: "/etc/**/x" }, "/w")).toEqual(["/etc"]);
    expect(toolPaths("Glob", { pattern: "**/*.ts", path: "/w/src" }, "/w")).toEqual(["/w/src", "/w/src"]);
    expect(toolPaths("Read", { file_path: "~/.ssh/id_ed25519" }, "/w", "/home/u")).toEqual(["/home/u/.ssh/id_ed25519"]);
    expect(toolPaths("Bash", { command: "cat /etc/passwd" }, "/w")).toEqual([]);
  });
});

describe("the roots check", () => {
  test("file tools inside the roots are asked about; outside, via a link or `..`, they are denied with the reason", async () => {
    await using dir = tmpDir();
    const { root, outside } = layout(dir.path);
    const policy = policyOf(root);
    expect(verdict(policy, "Read", { file_path: join(root, "src", "a.ts") })).toEqual({ verdict: "ask" });
    expect(verdict(policy, "Write", { file_path: join(root, "new", "b.ts"), content: "" })).toEqual({ verdict: "ask" });
    for (const [tool, input] of [
      ["Read", { file_path: join(outside, "secret") }],
      ["Read", { file_path: join(root, "file-link") }],
      ["Write", { file_path: join(root, "dir-link", "w.txt"), content: "x" }],
      ["Write", { file_path: join(root, "dangling"), content: "x" }],
      ["Edit", { file_path: `${root}/../outside/secret`, old_string: "s", new_string: "t" }],
      ["MultiEdit", { file_path: "../outside/secret", edits: [] }],
      ["Read", { file_path: "dir-link/../outside/secret" }],
      ["NotebookEdit", { notebook_path: join(outside, "n.ipynb"), new_source: "" }],
      ["Glob", { pattern: "../outside/*" }],
      ["Grep", { pattern: "s", path: outside }],
      ["LS", { path: "/" }],
    ] as const) {
      const result = verdict(policy, tool, input);
      expect(result.verdict, `${tool} ${JSON.stringify(input)}`).toBe("deny");
      if (result.verdict === "deny") {
        expect(result.why).toEndWith("outside roots");
        expect(result.message).toContain("outside the folders this machine allows");
      }
    }
  });

  test("the message names where a link leads", async () => {
    await using dir = tmpDir();
    const { root, outside } = layout(dir.path);
    const result = verdict(policyOf(root), "Read", { file_path: join(root, "file-link") });
    expect(result).toMatchObject({ verdict: "deny", why: `Read ${join(root, "file-link")}: outside roots` });
    expect(result.verdict === "deny" && result.message).toContain(`it leads to ${join(outside, "secret")}`);
  });

  test("a root of / allows every path, and several roots each count", async () => {
    await using dir = tmpDir();
    const { root, outside } = layout(dir.path);
    expect(verdict(policyOf("/"), "Read", { file_path: "/etc/hostname" })).toEqual({ verdict: "ask" });
    const two = buildPolicy({ roots: [root, outside] });
    expect(verdict(two, "Read", { file_path: join(outside, "secret") })).toEqual({ verdict: "ask" });
  });
});

describe("plan mode", () => {
  test("only reading tools and the owner-facing ones pass; Bash, Write and Edit are denied", async () => {
    await using dir = tmpDir();
    const { root } = layout(dir.path);
    const policy = policyOf(root);
    for (const tool of ["Read", "Glob", "Grep", "WebFetch", "ExitPlanMode", "AskUserQuestion"]) {
      expect(verdict(policy, tool, {}, "plan"), tool).toEqual({ verdict: "ask" });
    }
    for (const tool of ["Bash", "Write", "Edit", "MultiEdit", "NotebookEdit", "SomeFutureTool"]) {
      const result = verdict(policy, tool, { command: "ls" }, "plan");
      expect(result, tool).toMatchObject({ verdict: "deny", why: `${tool} in plan mode` });
    }
    expect(verdict(policy, "Bash", { command: "ls" }, "default")).toEqual({ verdict: "ask" });
  });
});

describe("deny and allow rules", () => {
  test("rules in claude's syntax; a bad rule is a clear usage error", () => {
    expect(parseRule("Bash", "--deny-tool")).toEqual({ text: "Bash", tool: "Bash", kind: "tool" });
    expect(parseRule("Bash(npm test:*)", "--deny-tool")).toMatchObject({ kind: "command", command: "npm test", prefix: true });
    expect(parseRule("Bash(git status)", "--deny-tool")).toMatchObject({ kind: "command", command: "git status", prefix: false });
    expect(parseRule("Read(secrets/**)", "--deny-tool")).toMatchObject({ kind: "path", glob: "secrets/**" });
    expect(parseRule("WebFetch(domain:Example.com)", "--deny-tool")).toMatchObject({ kind: "domain", domain: "example.com" });
    expect(() => parseRule("Bash(", "--deny-tool")).toThrow('--deny-tool: "Bash(" is not a tool rule');
    expect(() => parseRule("Bash()", "RA_DENY_TOOLS")).toThrow("the part in brackets is empty");
    expect(() => parseRule("Task(x)", "--allow-tool")).toThrow("use plain Task for every Task call");
    expect(() => parseRule("Bash(echo a,b)", "--deny-tool")).toThrow("cannot hold a comma");
  });

  test("a deny rule holds for any subcommand of a shell line", async () => {
    await using dir = tmpDir();
    const { root } = layout(dir.path);
    const policy = policyOf(root, { deny: ["Bash(rm:*)", "Bash(git push)"] });
    const denied = (command: string) => verdict(policy, "Bash", { command }).verdict === "deny";
    expect(denied("rm -rf build")).toBe(true);
    expect(denied("rm")).toBe(true);
    expect(denied("echo ok && rm -rf /")).toBe(true);
    expect(denied("ls | rm x")).toBe(true);
    expect(denied("echo $(rm x)")).toBe(true);
    expect(denied("git  push")).toBe(true);
    expect(denied("rmdir x")).toBe(false);
    expect(denied("git push --force")).toBe(false);
    expect(subcommands("a; b && c || d | e & f\ng `h` $(i)")).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
    expect(verdict(policy, "Bash", { command: "rm -rf build" })).toMatchObject({ verdict: "deny", why: "Bash: denied by the machine's rule Bash(rm:*)" });
  });

  test("deny rules win over allow rules and over the roots; a bare name denies the whole tool", async () => {
    await using dir = tmpDir();
    const { root } = layout(dir.path);
    const policy = policyOf(root, { deny: ["WebFetch", "Read(src/**)"], allow: ["WebFetch", "Read"] });
    expect(verdict(policy, "WebFetch", { url: "https://example.com" }).verdict).toBe("deny");
    expect(verdict(policy, "Read", { file_path: join(root, "src", "a.ts") }).verdict).toBe("deny");
    expect(verdict(policy, "Read", { file_path: join(root, "inner-link", "a.ts") }).verdict).toBe("deny");
    expect(verdict(policy, "Read", { file_path: join(root, "file-link") }).verdict).toBe("deny");
    expect(verdict(policy, "Read", { file_path: join(root, "README.md") })).toEqual({ verdict: "ask" });
  });

  test("an allow list lets only its tools be asked about, and never past the roots", async () => {
    await using dir = tmpDir();
    const { root, outside } = layout(dir.path);
    const policy = policyOf(root, { allow: ["Read", "Bash(npm test:*)", "WebFetch(domain:example.com)"] });
    expect(verdict(policy, "Read", { file_path: join(root, "src", "a.ts") })).toEqual({ verdict: "ask" });
    expect(verdict(policy, "Read", { file_path: join(outside, "secret") })).toMatchObject({ verdict: "deny", why: `Read ${join(outside, "secret")}: outside roots` });
    expect(verdict(policy, "Bash", { command: "npm test -- --watch" })).toEqual({ verdict: "ask" });
    // An allow rule is read narrowly: shell features make it another command.
    expect(verdict(policy, "Bash", { command: "npm test; curl evil.example" }).verdict).toBe("deny");
    expect(verdict(policy, "Bash", { command: "npm test $(cat ~/.ssh/id_rsa)" }).verdict).toBe("deny");
    expect(verdict(policy, "WebFetch", { url: "https://docs.example.com/x" })).toEqual({ verdict: "ask" });
    expect(verdict(policy, "WebFetch", { url: "https://example.com.evil.io/" }).verdict).toBe("deny");
    expect(verdict(policy, "Write", { file_path: join(root, "x"), content: "" })).toMatchObject({ verdict: "deny", why: `Write ${join(root, "x")}: not in the machine's allowed tools` });
    expect(verdict(policy, "AskUserQuestion", { questions: [] })).toEqual({ verdict: "ask" });
  });

  test("claude gets the deny rules (paths in its spelling) and, with an allow list, every tool the list does not name", async () => {
    expect(claudeRuleText(parseRule("Read(/etc/**)", "x"))).toBe("Read(//etc/**)");
    expect(claudeRuleText(parseRule("Read(secrets/**)", "x"))).toBe("Read(./secrets/**)");
    expect(claudeRuleText(parseRule("Edit(~/notes/*)", "x"))).toBe("Edit(~/notes/*)");
    expect(claudeDisallowedTools(policyOf("/w", { deny: ["Bash(rm:*)", "WebFetch"] }))).toEqual(["Bash(rm:*)", "WebFetch"]);
    const withAllow = claudeDisallowedTools(policyOf("/w", { allow: ["Read", "Bash(npm test:*)"] }));
    expect(withAllow).toContain("Write");
    expect(withAllow).toContain("WebFetch");
    expect(withAllow).not.toContain("Read");
    expect(withAllow).not.toContain("Bash");
    expect(withAllow).not.toContain("AskUserQuestion");
    expect(withAllow).not.toContain("ExitPlanMode");
  });
});

describe("the policy file", () => {
  test("rules from flags, environment and file add up", async () => {
    await using dir = tmpDir();
    const file = join(dir.path, "policy.json");
    writeFileSync(file, JSON.stringify({ deny: ["WebFetch"], allow: ["Read"] }));
    const policy = buildPolicy({ roots: ["/w"], denyFlags: ["Bash(rm:*)"], denyEnv: ["Write"], allowEnv: ["Bash(ls)"], file });
    expect(policy.deny.map((r) => r.text)).toEqual(["Bash(rm:*)", "Write", "WebFetch"]);
    expect(policy.allow.map((r) => r.text)).toEqual(["Bash(ls)", "Read"]);
  });

  test("a missing, broken or wrongly shaped file is a config error that says what is wrong", async () => {
    await using dir = tmpDir();
    const file = join(dir.path, "policy.json");
    expect(() => readPolicyFile(file)).toThrow(`the policy file ${file} does not exist`);
    writeFileSync(file, "{ deny: [");
    expect(() => readPolicyFile(file)).toThrow("is not JSON");
    writeFileSync(file, JSON.stringify({ deny: "Bash" }));
    expect(() => readPolicyFile(file)).toThrow("is not a valid policy: deny:");
    writeFileSync(file, JSON.stringify({ deny: [], allowed: ["Read"] }));
    expect(() => readPolicyFile(file)).toThrow("is not a valid policy");
    writeFileSync(file, JSON.stringify({ deny: ["Bash("] }));
    expect(() => buildPolicy({ roots: ["/w"], file })).toThrow(`${file} (deny): "Bash(" is not a tool rule`);
    try {
      readPolicyFile(join(dir.path, "nope.json"));
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(78);
    }
  });
});

describe("the gate in front of the owner", () => {
  const request = (toolName: string, input: Record<string, unknown>) => ({ requestId: "r1", toolName, input });

  test("a denied call never reaches the owner; the owner hears why; an allowing owner cannot override it", async () => {
    await using dir = tmpDir();
    const { root, outside } = layout(dir.path);
    const asked: string[] = [];
    const owner: PermissionHandler = async (r) => {
      asked.push(r.toolName);
      return { behavior: "allow", updatedInput: r.input };
    };
    const notices: string[] = [];
    let mode = "default" as "default" | "plan";
    const gate = policyGate({ policy: policyOf(root, { deny: ["WebFetch"] }), context: () => ({ cwd: root, mode }), denied: (why) => notices.push(why), planApproved: () => (mode = "default") }, owner);
    const signal = new AbortController().signal;

    expect(await gate(request("Read", { file_path: join(outside, "secret") }), signal)).toMatchObject({ behavior: "deny" });
    expect(await gate(request("WebFetch", { url: "https://x.example" }), signal)).toMatchObject({ behavior: "deny" });
    mode = "plan";
    expect(await gate(request("Bash", { command: "touch x" }), signal)).toMatchObject({ behavior: "deny" });
    expect(asked).toEqual([]);
    expect(notices).toEqual([`Read ${join(outside, "secret")}: outside roots`, "WebFetch: denied by the machine's rule WebFetch", "Bash in plan mode"]);

    expect(await gate(request("ExitPlanMode", { plan: "1. do it" }), signal)).toMatchObject({ behavior: "allow" });
    expect(mode as string).toBe("default");
    expect(await gate(request("Write", { file_path: join(root, "w"), content: "" }), signal)).toMatchObject({ behavior: "allow" });
    expect(asked).toEqual(["ExitPlanMode", "Write"]);
  });

  test("an allow that comes back with another input is checked again", async () => {
    await using dir = tmpDir();
    const { root, outside } = layout(dir.path);
    const swapping: PermissionHandler = async (r) => ({ behavior: "allow", updatedInput: { ...r.input, file_path: join(outside, "secret") } });
    const notices: string[] = [];
    const gate = policyGate({ policy: policyOf(root), context: () => ({ cwd: root, mode: "default" }), denied: (why) => notices.push(why) }, swapping);
    const decision = await gate(request("Write", { file_path: join(root, "w"), content: "x" }), new AbortController().signal);
    expect(decision).toMatchObject({ behavior: "deny" });
    expect(notices).toEqual([`Write ${join(outside, "secret")}: outside roots`]);
  });
});
