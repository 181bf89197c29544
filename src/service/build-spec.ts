/**
 * Turns `ra service install` arguments into a ServiceSpec: everything the service needs is made
 * absolute and checked now, while a person is there to fix it (not paired, no claude, no token),
 * instead of failing at boot in a log nobody reads.
 */
import { dirname, resolve } from "node:path";
import { loadAgentConfig } from "../agent/config";
import { findClaude } from "../agent/find-claude";
import { readPolicyFile } from "../agent/policy-file";
import { list } from "../cmd/_shared";
import { ExitCode, RaError } from "../errors";
import { agentConfigPath, dataDir } from "../paths";
import { RelayConfig } from "../relay/config";
import type { Account } from "./account";
import type { ServiceLayout } from "./layout";
import type { ServiceScope, ServiceSpec } from "./spec";

type Env = Record<string, string | undefined>;
export type InstallArgs = Record<string, string | boolean | string[] | undefined>;

export interface SpecInput {
  args: InstallArgs;
  env: Env;
  /** Absolute path of the running ra binary. */
  exe: string;
  cwd: string;
  scope: ServiceScope;
  account: Account;
  layout: ServiceLayout;
  systemdVersion?: number;
}

/** Flags passed on to the service's command line, with the RA_* variable each one also reads. */
const AGENT_FLAGS: Record<string, string | undefined> = {
  "max-mode": "RA_MAX_MODE",
  "allow-bypass": undefined,
  "deny-tool": "RA_DENY_TOOLS",
  "allow-tool": "RA_ALLOW_TOOLS",
  sandbox: undefined,
  "insecure-http": undefined,
  "log-level": "RA_LOG_LEVEL",
  "log-format": "RA_LOG_FORMAT",
};
const SERVE_FLAGS: Record<string, string | undefined> = {
  listen: "RA_LISTEN",
  "public-url": "RA_PUBLIC_URL",
  owner: "RA_OWNERS",
  "telegram-api-root": "RA_TELEGRAM_API_ROOT",
  "edit-interval-ms": "RA_EDIT_INTERVAL_MS",
  "poll-timeout": undefined,
  "approval-timeout": "RA_APPROVAL_TIMEOUT",
  "log-level": "RA_LOG_LEVEL",
  "log-format": "RA_LOG_FORMAT",
};

export function agentSpec(i: SpecInput, workingDir: (dir: string) => string): ServiceSpec {
  const { args, env, account } = i;
  const given = str(args.config) ?? env.RA_CONFIG;
  loadAgentConfig(resolve(given ?? agentConfigPath({ ...env, HOME: account.home })));
  const roots = list(args.root ?? env.RA_ROOTS);
  const rootDirs = (roots.length ? roots : [i.cwd]).map(workingDir);
  const claude = findClaude(str(args.claude) ?? env.RA_CLAUDE, env.PATH);
  const dataDirArg = str(args["data-dir"]) ?? env.RA_DATA_DIR;
  const policyArg = str(args.policy) ?? env.RA_POLICY;
  if (policyArg) readPolicyFile(resolve(policyArg));
  const token = env.CLAUDE_CODE_OAUTH_TOKEN;
  return {
    role: "agent",
    scope: i.scope,
    argv: [
      i.exe,
      "agent",
      ...(given ? ["--config", resolve(given)] : []),
      ...rootDirs.flatMap((dir) => ["--root", dir]),
      "--claude",
      claude,
      ...(dataDirArg ? ["--data-dir", resolve(dataDirArg)] : []),
      ...(policyArg ? ["--policy", resolve(policyArg)] : []),
      ...passThrough(AGENT_FLAGS, args, env),
      ...(env.RA_SANDBOX === "1" && !args.sandbox ? ["--sandbox"] : []),
      ...(env.RA_INSECURE_HTTP === "1" && !args["insecure-http"] ? ["--insecure-http"] : []),
    ],
    workingDir: rootDirs[0]!,
    env: capturedEnv(env, account, [dirname(claude)]),
    secrets: token ? { CLAUDE_CODE_OAUTH_TOKEN: token } : {},
    envFile: i.layout.envFile,
    user: i.scope === "system" ? account.user : undefined,
    logFile: i.layout.target.logFile,
    systemdVersion: i.systemdVersion,
  };
}

/** `token` is undefined when ra serve will read the one saved in its data dir. */
export function serveSpec(i: SpecInput, token: string | undefined): ServiceSpec {
  const { args, env, account } = i;
  const dir = serveDataDir(i);
  if (token !== undefined && !RelayConfig.shape.botToken.safeParse(token).success) {
    throw new RaError("bot_token_invalid", "that is not a Telegram bot token", { hint: "a token looks like 123456789:AA… (from @BotFather)", exitCode: ExitCode.usage });
  }
  return {
    role: "serve",
    scope: i.scope,
    argv: [i.exe, "serve", "--data-dir", dir, ...passThrough(SERVE_FLAGS, args, env)],
    workingDir: dir,
    env: capturedEnv(env, account, []),
    secrets: token ? { RA_BOT_TOKEN: token } : {},
    envFile: i.layout.envFile,
    user: i.scope === "system" ? account.user : undefined,
    writablePaths: [dir],
    logFile: i.layout.target.logFile,
    systemdVersion: i.systemdVersion,
  };
}

export const serveDataDir = (i: Pick<SpecInput, "args" | "env" | "account">) =>
  resolve(str(i.args["data-dir"]) ?? i.env.RA_DATA_DIR ?? dataDir({ ...i.env, HOME: i.account.home }));

/** PATH (with the folders that must be on it first) and HOME: a service reads no shell profile. */
function capturedEnv(env: Env, account: Account, firstOnPath: string[]): Record<string, string> {
  const path = [...new Set([...firstOnPath, ...(env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":")].filter(Boolean))].join(":");
  return { PATH: path, HOME: account.home, ...(env.LANG ? { LANG: env.LANG } : {}) };
}

function passThrough(flags: Record<string, string | undefined>, args: InstallArgs, env: Env): string[] {
  return Object.entries(flags).flatMap(([flag, envName]) => {
    const value = args[flag] ?? (envName ? env[envName] : undefined);
    if (value === undefined || value === false || value === "") return [];
    if (value === true) return [`--${flag}`];
    return list(value).flatMap((v) => [`--${flag}`, v]);
  });
}

const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
