import { describe, expect, test } from "bun:test";
import { describeRule, ruleChoices, SessionRules } from "../../src/relay/core/session-rules";

function allowAlways(toolName: string, input: Record<string, unknown>, wide = false) {
  const rules = new SessionRules();
  const choices = ruleChoices(toolName, input)!;
  rules.add("s1", wide ? choices.wide! : choices.narrow);
  return (t: string, i: Record<string, unknown>) => rules.match("s1", { toolName: t, input: i }) !== undefined;
}

describe("session rules: what 'always' allows", () => {
  test("an interpreter is never widened: `python3 --version` allows exactly that, not `python3 -c …`", () => {
    expect(ruleChoices("Bash", { command: "python3 --version" })).toEqual({ narrow: { kind: "command", command: "python3 --version" } });
    const allowed = allowAlways("Bash", { command: "python3 --version" });
    expect(allowed("Bash", { command: "python3 --version" })).toBe(true);
    expect(allowed("Bash", { command: `python3 -c "import os; os.system('rm -rf ~')"` })).toBe(false);
    for (const command of ["node -e 'x'", "npx cowsay hi", "awk 'BEGIN{system(\"id\")}'", "npm exec evil", "git config core.pager sh", "sed -e 1e\\ id f"]) {
      expect(ruleChoices("Bash", { command })!.wide).toBeUndefined();
    }
  });

  test("a bare program is never widened (`git -c …` would run anything); a subcommand may be, by choice", () => {
    expect(ruleChoices("Bash", { command: "git -c core.pager=cat log" })!.wide).toBeUndefined();
    expect(ruleChoices("Bash", { command: "ls -la" })!.wide).toBeUndefined();
    const choices = ruleChoices("Bash", { command: "npm test -- --watch" })!;
    expect(choices.wide).toEqual({ kind: "program", prefix: "npm test" });
    expect(describeRule(choices.narrow)).toBe("Bash `npm test -- --watch`");
    expect(describeRule(choices.wide!)).toBe("Bash `npm test …`");
    const narrow = allowAlways("Bash", { command: "npm test -- --watch" });
    expect(narrow("Bash", { command: "npm test -- --ci" })).toBe(false);
    const wide = allowAlways("Bash", { command: "npm test -- --watch" }, true);
    expect(wide("Bash", { command: "npm test -- --ci" })).toBe(true);
    expect(wide("Bash", { command: "npm testing" })).toBe(false);
    expect(wide("Bash", { command: "npm test; rm -rf ~" })).toBe(false);
    expect(wide("Bash", { command: "npm install evil" })).toBe(false);
  });

  test("a file tool is allowed in that folder and below, nowhere else", () => {
    const allowed = allowAlways("Read", { file_path: "/home/pi/code/src/app.ts" });
    expect(describeRule(ruleChoices("Read", { file_path: "/home/pi/code/src/app.ts" })!.narrow)).toBe("Read in /home/pi/code/src");
    expect(allowed("Read", { file_path: "/home/pi/code/src/lib/x.ts" })).toBe(true);
    expect(allowed("Read", { file_path: "/home/pi/code/src-other/x.ts" })).toBe(false);
    expect(allowed("Read", { file_path: "/home/pi/code/src/../../.ssh/id_ed25519" })).toBe(false);
    expect(allowed("Read", { file_path: "/etc/shadow" })).toBe(false);
    expect(allowed("Write", { file_path: "/home/pi/code/src/x.ts" })).toBe(false);
    expect(allowed("Read", { file_path: "relative/path" })).toBe(false);
    const grep = allowAlways("Grep", { pattern: "TODO", path: "/home/pi/code" });
    expect(grep("Grep", { pattern: "x", path: "/home/pi/code/src" })).toBe(true);
    expect(grep("Grep", { pattern: "x", path: "/home/pi" })).toBe(false);
  });

  test("WebFetch is allowed from that host only; other tools as a whole; questions and plans never", () => {
    const fetch = allowAlways("WebFetch", { url: "https://docs.example.com/a", prompt: "x" });
    expect(fetch("WebFetch", { url: "https://docs.example.com/b", prompt: "y" })).toBe(true);
    expect(fetch("WebFetch", { url: "https://evil.example.net/", prompt: "y" })).toBe(false);
    expect(ruleChoices("WebSearch", { query: "x" })).toEqual({ narrow: { kind: "tool", tool: "WebSearch" } });
    expect(ruleChoices("AskUserQuestion", {})).toBeUndefined();
    expect(ruleChoices("ExitPlanMode", {})).toBeUndefined();
  });
});
