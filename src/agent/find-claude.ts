import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ExitCode, RaError } from "../errors";

/** The claude executable: a given path or command name, else `claude` on PATH. */
export function findClaude(given: string | undefined, path: string | undefined = process.env.PATH): string {
  const found = given ? (existsSync(given) ? resolve(given) : Bun.which(given, { PATH: path })) : Bun.which("claude", { PATH: path });
  if (!found) {
    throw new RaError("claude_missing", given ? `cannot find claude at "${given}"` : "cannot find `claude` on PATH", {
      hint: "install Claude Code (npm install -g @anthropic-ai/claude-code) or pass --claude /path/to/claude",
      exitCode: ExitCode.config,
    });
  }
  return found;
}
