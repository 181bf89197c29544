import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { runAgent } from "../agent";
import { childEnv } from "../agent/child-env";
import { loadAgentConfig } from "../agent/config";
import { systemClock } from "../clock";
import { ExitCode, RaError } from "../errors";
import { createLog } from "../log";
import { agentConfigPath } from "../paths";
import { createClaudeRunner } from "../runner";
import { guard, logArgs, setupLogging, untilSignal } from "./_shared";

export default defineCommand({
  meta: { name: "agent", description: "Connect this machine to the relay and run prompts from Telegram with Claude Code (after `ra pair`)" },
  args: {
    config: { type: "string", description: "Config file written by `ra pair` (env RA_CONFIG, default ~/.config/ra/config.json)", valueHint: "file" },
    cwd: { type: "string", description: "Folder claude works in (env RA_CWD, default: the current directory)", valueHint: "dir" },
    claude: { type: "string", description: "Path of the claude executable (env RA_CLAUDE, default: claude on PATH)", valueHint: "path" },
    ...logArgs,
  },
  run: ({ args }) =>
    guard(async () => {
      const env = process.env;
      setupLogging(args);
      const log = createLog("agent");
      const config = loadAgentConfig(args.config ?? env.RA_CONFIG ?? agentConfigPath());
      const cwd = workingDir(args.cwd ?? env.RA_CWD ?? process.cwd());
      const claudePath = findClaude(args.claude ?? env.RA_CLAUDE);
      const agent = runAgent({
        config,
        cwd,
        env: childEnv(env),
        clock: systemClock,
        runner: createClaudeRunner({ claudePath }),
      });
      log.info(`"${config.name}" runs prompts in ${cwd} with ${claudePath}`);
      const stopped = untilSignal().then(async (sig) => {
        log.info(`${sig}: stopping (running turns end, conversations are kept for --resume)`);
        await agent.stop();
      });
      await Promise.race([agent.done, stopped]);
    }),
});

function workingDir(dir: string): string {
  const full = resolve(dir);
  if (!existsSync(full) || !statSync(full).isDirectory()) {
    throw new RaError("cwd", `${full} is not a directory`, { hint: "pass an existing folder with --cwd", exitCode: ExitCode.config });
  }
  return realpathSync(full);
}

function findClaude(given: string | undefined): string {
  const found = given ? (existsSync(given) ? resolve(given) : Bun.which(given)) : Bun.which("claude");
  if (!found) {
    throw new RaError("claude_missing", given ? `cannot find claude at "${given}"` : "cannot find `claude` on PATH", {
      hint: "install Claude Code (npm install -g @anthropic-ai/claude-code) or pass --claude /path/to/claude",
      exitCode: ExitCode.config,
    });
  }
  return found;
}
