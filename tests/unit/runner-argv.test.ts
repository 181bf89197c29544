import { describe, expect, test } from "bun:test";
import { RaError } from "../../src/errors";
import { buildClaudeArgv } from "../../src/runner/claude-argv";

const fixed = [
  "-p",
  "--input-format",
  "stream-json",
  "--output-format",
  "stream-json",
  "--verbose",
  "--include-partial-messages",
  "--permission-prompt-tool",
  "stdio",
];

describe("claude argv", () => {
  test("a fresh session: stream-json both ways, stdio permission prompts, explicit default mode", () => {
    expect(buildClaudeArgv({ claudePath: "/opt/claude" })).toEqual([
      "/opt/claude",
      ...fixed,
      "--permission-mode",
      "default",
      "--setting-sources",
      "user",
      "--strict-mcp-config",
    ]);
  });

  test("resume and mode are passed as separate arguments", () => {
    const id = "1c2e8af7-c6a0-43cf-9456-7c3c3cd84d5c";
    const argv = buildClaudeArgv({ claudePath: "claude", mode: "acceptEdits", resume: id });
    expect(argv.slice(-3)).toEqual(["--strict-mcp-config", "--resume", id]);
    expect(argv[argv.indexOf("--permission-mode") + 1]).toBe("acceptEdits");
  });

  test("the machine's deny rules go to claude one flag each (claude splits a value at commas)", () => {
    const argv = buildClaudeArgv({ claudePath: "claude", disallowedTools: ["Bash(npm test:*)", "WebFetch"] });
    expect(argv.filter((a) => a.startsWith("--disallowedTools"))).toEqual(["--disallowedTools=Bash(npm test:*)", "--disallowedTools=WebFetch"]);
  });

  test("refuses an unknown mode (claude 2.1.197 would accept it silently)", () => {
    expect(() => buildClaudeArgv({ claudePath: "claude", mode: "yolo" })).toThrow(RaError);
    expect(() => buildClaudeArgv({ claudePath: "claude", mode: "yolo" })).toThrow(/Unknown permission mode "yolo"/);
  });

  test("refuses a resume id that is not a session id, such as one that looks like a flag", () => {
    for (const bad of ["--dangerously-skip-permissions", "", "abc", "1c2e8af7-c6a0-43cf-9456-7c3c3cd84d5c x"]) {
      expect(() => buildClaudeArgv({ claudePath: "claude", resume: bad })).toThrow(RaError);
    }
  });

  test("never carries a prompt: every argument is a flag, a fixed value, the mode or the resume id", () => {
    const argv = buildClaudeArgv({ claudePath: "claude", mode: "plan" });
    expect(argv.filter((a) => !a.startsWith("-"))).toEqual(["claude", "stream-json", "stream-json", "stdio", "plan", "user"]);
  });
});
