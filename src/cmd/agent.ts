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
    "deny-tool": { type: "string", description: "Tool rule claude may never use, whatever the phone answers: Bash, WebFetch, Bash(rm:*), Read(secrets/**); repeatable (env RA_DENY_TOOLS, comma-separated)", valueHint: "rule" },
    "allow-tool": { type: "string", description: "Only tools matching these rules may be asked about (the owner still decides, roots still apply); repeatable (env RA_ALLOW_TOOLS, comma-separated)", valueHint: "rule" },
    policy: { type: "string", description: 'JSON file with tool rules: {"deny": [...], "allow": [...]} (env RA_POLICY)', valueHint: "file" },
    sandbox: { type: "boolean", description: "Run claude in an OS sandbox where only the roots and claude's config are writable: bubblewrap on Linux, sandbox-exec on macOS (env RA_SANDBOX=1)" },
    "insecure-http": { type: "boolean", description: "Accept a plain http:// relay URL on a public address (env RA_INSECURE_HTTP=1); the token then travels unencrypted" },
    ...logArgs,
  },
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const env = process.env;
      setupLogging(args);
      const log = createLog("agent");
      if (args["insecure-http"]) allowInsecureHttp();
      const config = loadAgentConfig(args.config ?? env.RA_CONFIG ?? agentConfigPath());
      relayUrls(config.relay); // refuses plain http to a public address before anything starts
      const given = list(args.root ? repeated(rawArgs, "root") : env.RA_ROOTS);
      const roots = (given.length ? given : [process.cwd()]).map(workingDir);
      const limits = { roots, maxMode: maxMode(args["max-mode"] ?? env.RA_MAX_MODE ?? "acceptEdits", Boolean(args["allow-bypass"])) };
      const policyFile = args.policy ?? env.RA_POLICY;
      const policy = buildPolicy({
        roots,
        denyFlags: list(repeated(rawArgs, "deny-tool")),
        allowFlags: list(repeated(rawArgs, "allow-tool")),
        denyEnv: list(env.RA_DENY_TOOLS),
        allowEnv: list(env.RA_ALLOW_TOOLS),
        ...(policyFile ? { file: resolve(policyFile) } : {}),
      });
      const claudePath = findClaude(args.claude ?? env.RA_CLAUDE);
      const configPath = resolve(args.config ?? env.RA_CONFIG ?? agentConfigPath());
      const storeDir = resolve(args["data-dir"] ?? env.RA_DATA_DIR ?? join(dataDir(), "agent"));
      const store = new AgentStore(storeDir, (message) => log.warn(message));
      store.open();
      const sandbox = args.sandbox || env.RA_SANDBOX === "1"
        ? startSandbox(store, () => createSandbox(sandboxPaths({
            roots,
            home: env.HOME ?? homedir(),
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

function maxMode(value: string, allowBypass: boolean): PermissionMode {
  const parsed = PermissionMode.safeParse(value);
  if (!parsed.success) throw usage(`--max-mode "${value}" is not a permission mode`, "use plan, default or acceptEdits (bypassPermissions needs --allow-bypass)");
  if (parsed.data === "bypassPermissions" && !allowBypass) throw usage("--max-mode bypassPermissions needs --allow-bypass", "claude then runs every tool without asking; add --allow-bypass only if you mean it");
  return allowBypass ? "bypassPermissions" : parsed.data;
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
