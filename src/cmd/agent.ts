import { existsSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { defineCommand } from "citty";
import { runAgent } from "../agent";
import { childEnv } from "../agent/child-env";
import { findClaude } from "../agent/find-claude";
import { loadAgentConfig } from "../agent/config";
import { claudeDisallowedTools } from "../agent/policy";
import { buildPolicy, describePolicy } from "../agent/policy-file";
import { allowInsecureHttp, relayUrls } from "../agent/relay-url";
import { createSandbox, sandboxPaths, systemSandboxDeps } from "../agent/sandbox";
import { systemClock } from "../clock";
import { ExitCode, RaError } from "../errors";
import { AgentStore } from "../agent/store";
import { configureLogging, createLog } from "../log";
import { agentOptions, maxMode } from "../options/agent";
import { cittyArgs, parseOptions } from "../options/define";
import { createClaudeRunner } from "../runner";
import { guard, untilSignal } from "./_shared";
import { DESCRIPTIONS } from "./descriptions";

export default defineCommand({
  meta: { name: "agent", description: DESCRIPTIONS.agent },
  args: cittyArgs(agentOptions),
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const env = process.env;
      const options = parseOptions(agentOptions, { args, rawArgs, env });
      configureLogging(options.logLevel, options.logFormat);
      const log = createLog("agent");
      if (options.insecureHttp) allowInsecureHttp();
      const ceiling = maxMode(options.maxMode, options.allowBypass);
      const config = loadAgentConfig(options.configPath);
      relayUrls(config.relay); // refuses plain http to a public address before anything starts
      const roots = options.roots.map(workingDir);
      const limits = { roots, maxMode: ceiling };
      const policy = buildPolicy({ roots, denyFlags: options.denyTools, allowFlags: options.allowTools, ...(options.policy ? { file: resolve(options.policy) } : {}) });
      const claudePath = findClaude(options.claude);
      const configPath = resolve(options.configPath);
      const storeDir = resolve(options.dataDir);
      const store = new AgentStore(storeDir, (message) => log.warn(message));
      store.open();
      const sandbox = options.sandbox
        ? startSandbox(store, () => createSandbox(sandboxPaths({
            roots,
            home: env.HOME ?? homedir(),
            executable: claudePath,
            ...(env.CLAUDE_CONFIG_DIR ? { claudeConfigDir: resolve(env.CLAUDE_CONFIG_DIR) } : {}),
            // Claude's Bash must not read the device token or the agent's data.
            hidden: [dirname(configPath), storeDir].filter((dir) => existsSync(dir) && !roots.some((root) => dir === root || root.startsWith(`${dir}/`))),
          }), systemSandboxDeps))
        : undefined;
      const agent = runAgent({
        config,
        limits,
        policy,
        store,
        env: childEnv(env),
        clock: systemClock,
        maxSessions: options.maxSessions,
        idleTimeoutMs: options.idleTimeoutMs,
        runner: createClaudeRunner({ claudePath, disallowedTools: claudeDisallowedTools(policy), ...(sandbox ? { wrapArgv: sandbox.wrap } : {}) }),
      });
      log.info(`"${config.name}" runs prompts in ${roots.join(", ")} (modes up to ${limits.maxMode}) with ${claudePath}`);
      log.info(`enforced on this machine: ${describePolicy(policy)}; ${sandbox ? `claude runs in a ${sandbox.kind} sandbox (writes only in the roots and claude's config)` : "no sandbox: Bash commands are not confined to the roots (see --sandbox)"}`);
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

/** The sandbox is checked after the data dir exists (so it can be hidden); a refusal frees the data dir's lock. */
function startSandbox<T>(store: AgentStore, create: () => T): T {
  try {
    return create();
  } catch (err) {
    store.release();
    throw err;
  }
}
