import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "citty";
import { runAgent } from "../agent";
import { childEnv } from "../agent/child-env";
import { findClaude } from "../agent/find-claude";
import { loadAgentConfig } from "../agent/config";
import { systemClock } from "../clock";
import { ExitCode, RaError } from "../errors";
import { AgentStore } from "../agent/store";
import { configureLogging, createLog } from "../log";
import { agentOptions, maxMode } from "../options/agent";
import { cittyArgs, parseOptions } from "../options/define";
import { createClaudeRunner } from "../runner";
import { guard, untilSignal } from "./_shared";

export default defineCommand({
  meta: { name: "agent", description: "Connect this machine to the relay and run prompts from Telegram with Claude Code (after `ra pair`)" },
  args: cittyArgs(agentOptions),
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const env = process.env;
      const options = parseOptions(agentOptions, { args, rawArgs, env });
      configureLogging(options.logLevel, options.logFormat);
      const log = createLog("agent");
      const ceiling = maxMode(options.maxMode, options.allowBypass);
      const config = loadAgentConfig(options.configPath);
      const roots = options.roots.map(workingDir);
      const limits = { roots, maxMode: ceiling };
      const claudePath = findClaude(options.claude);
      const store = new AgentStore(options.dataDir);
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
