import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { runAgent } from "../agent";
import { childEnv } from "../agent/child-env";
import { findClaude } from "../agent/find-claude";
import { loadAgentConfig } from "../agent/config";
import { systemClock } from "../clock";
import { ExitCode, RaError } from "../errors";
import { createLog } from "../log";
import { join } from "node:path";
import { AgentStore } from "../agent/store";
import { agentConfigPath, dataDir } from "../paths";
import { createClaudeRunner } from "../runner";
import { PermissionMode } from "../proto";
import { guard, list, logArgs, repeated, setupLogging, untilSignal, usage } from "./_shared";

export default defineCommand({
  meta: { name: "agent", description: "Connect this machine to the relay and run prompts from Telegram with Claude Code (after `ra pair`)" },
  args: {
    config: { type: "string", description: "Config file written by `ra pair` (env RA_CONFIG, default ~/.config/ra/config.json)", valueHint: "file" },
    root: { type: "string", description: "Folder prompts may run in; repeatable, the first is the default (env RA_ROOTS, comma-separated; default: the current directory)", valueHint: "dir" },
    "max-mode": { type: "string", description: "Highest permission mode the phone may choose: plan, default or acceptEdits (env RA_MAX_MODE, default acceptEdits)", valueHint: "mode" },
    "allow-bypass": { type: "boolean", description: "Also allow bypassPermissions (claude then runs tools without asking)" },
    claude: { type: "string", description: "Path of the claude executable (env RA_CLAUDE, default: claude on PATH)", valueHint: "path" },
    "data-dir": { type: "string", description: "Where undelivered output and conversations survive restarts (env RA_DATA_DIR, default ~/.local/share/ra/agent)", valueHint: "dir" },
    ...logArgs,
  },
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const env = process.env;
      setupLogging(args);
      const log = createLog("agent");
      const config = loadAgentConfig(args.config ?? env.RA_CONFIG ?? agentConfigPath());
      const given = list(args.root ? repeated(rawArgs, "root") : env.RA_ROOTS);
      const roots = (given.length ? given : [process.cwd()]).map(workingDir);
      const limits = { roots, maxMode: maxMode(args["max-mode"] ?? env.RA_MAX_MODE ?? "acceptEdits", Boolean(args["allow-bypass"])) };
      const claudePath = findClaude(args.claude ?? env.RA_CLAUDE);
      const store = new AgentStore(args["data-dir"] ?? env.RA_DATA_DIR ?? join(dataDir(), "agent"));
      store.open();
      const agent = runAgent({
        config,
        limits,
        store,
        env: childEnv(env),
        clock: systemClock,
        runner: createClaudeRunner({ claudePath }),
      });
      log.info(`"${config.name}" runs prompts in ${roots.join(", ")} (modes up to ${limits.maxMode}) with ${claudePath}`);
      const stopped = untilSignal().then(async (sig) => {
        log.info(`${sig}: stopping (running turns end, conversations are kept for --resume)`);
        await agent.stop();
      });
      try {
        await Promise.race([agent.done, stopped]);
      } finally {
        store.release();
      }
    }),
});

export function workingDir(dir: string): string {
  const full = resolve(dir);
  if (!existsSync(full) || !statSync(full).isDirectory()) {
    throw new RaError("root", `${full} is not a directory`, { hint: "pass an existing folder with --root", exitCode: ExitCode.config });
  }
  return realpathSync(full);
}

function maxMode(value: string, allowBypass: boolean): PermissionMode {
  const parsed = PermissionMode.safeParse(value);
  if (!parsed.success) throw usage(`--max-mode "${value}" is not a permission mode`, "use plan, default or acceptEdits (bypassPermissions needs --allow-bypass)");
  if (parsed.data === "bypassPermissions" && !allowBypass) throw usage("--max-mode bypassPermissions needs --allow-bypass", "claude then runs every tool without asking; add --allow-bypass only if you mean it");
  return allowBypass ? "bypassPermissions" : parsed.data;
}
