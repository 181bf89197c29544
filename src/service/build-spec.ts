/**
 * Turns `ra service install` arguments into a ServiceSpec: everything the service needs is made
 * absolute and checked now, while a person is there to fix it (not paired, no claude, no token),
 * instead of failing at boot in a log nobody reads.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadAgentConfig } from "../agent/config";
import { findClaude } from "../agent/find-claude";
import { readPolicyFile } from "../agent/policy-file";
import { ExitCode, RaError } from "../errors";
import { agentOptions, maxMode } from "../options/agent";
import { type CliInput, type Env, given, parseGiven, parseOptions } from "../options/define";
import { isBotToken, type ServeValues, serveOptions } from "../options/serve";
import { agentConfigPath, dataDir } from "../paths";
import { checkServeOptions } from "../relay/config";
import type { Account } from "./account";
import { serviceArgs } from "./command-line";
import type { ServiceLayout } from "./layout";
import type { ServiceScope, ServiceSpec } from "./spec";

export interface SpecInput extends CliInput {
  /** Absolute path of the running ra binary. */
  exe: string;
  cwd: string;
  scope: ServiceScope;
  account: Account;
  layout: ServiceLayout;
  systemdVersion?: number;
}

export function agentSpec(i: SpecInput, workingDir: (dir: string) => string): ServiceSpec {
  const { env, account } = i;
  const set = given(agentOptions, i);
  const values = parseGiven(agentOptions, set, env);
  maxMode(values.maxMode, values.allowBypass);
  const config = set.config && resolve(values.configPath);
  loadAgentConfig(config ?? agentConfigPath({ ...env, HOME: account.home }));
  const roots = (set.root ? values.roots : [i.cwd]).map(workingDir);
  const claude = findClaude(values.claude, env.PATH);
  // A bad policy file fails the install (a person is here to fix it), not the boot.
  const policy = values.policy === undefined ? undefined : resolve(values.policy);
  if (policy) readPolicyFile(policy);
  const { argv, secrets } = serviceArgs(agentOptions, set, { config, root: roots, claude, policy });
  const token = env.CLAUDE_CODE_OAUTH_TOKEN;
  return {
    role: "agent",
    scope: i.scope,
    argv: [i.exe, "agent", ...argv],
    workingDir: roots[0]!,
    env: capturedEnv(env, account, [dirname(claude)]),
    secrets: { ...secrets, ...(token ? { CLAUDE_CODE_OAUTH_TOKEN: token } : {}) },
    envFile: i.layout.envFile,
    user: i.scope === "system" ? account.user : undefined,
    logFile: i.layout.target.logFile,
    systemdVersion: i.systemdVersion,
  };
}

/** The serve options given to `ra service install --serve`, checked as ra serve will check them at boot. */
export function serveValues(i: CliInput): ServeValues {
  const values = parseOptions(serveOptions, i);
  checkServeOptions(values);
  for (const [flag, file] of [["tls-cert", values.tlsCert], ["tls-key", values.tlsKey]] as const) {
    if (file && !existsSync(file)) throw new RaError("tls_file", `cannot find --${flag} ${resolve(file)}`, { hint: "pass the PEM file ra serve should read at boot", exitCode: ExitCode.config });
  }
  return values;
}

/** `token` is undefined when ra serve will read the one saved in its data dir. */
export function serveSpec(i: SpecInput, token: string | undefined): ServiceSpec {
  const { env, account } = i;
  serveValues(i);
  if (token !== undefined && !isBotToken(token)) {
    throw new RaError("bot_token_invalid", "that is not a Telegram bot token", { hint: "a token looks like 123456789:AA… (from @BotFather)", exitCode: ExitCode.usage });
  }
  const dir = serveDataDir(i);
  const { argv, secrets } = serviceArgs(serveOptions, given(serveOptions, i), { "bot-token": token, "data-dir": dir });
  return {
    role: "serve",
    scope: i.scope,
    argv: [i.exe, "serve", ...argv],
    workingDir: dir,
    env: capturedEnv(env, account, []),
    secrets,
    envFile: i.layout.envFile,
    user: i.scope === "system" ? account.user : undefined,
    writablePaths: [dir],
    logFile: i.layout.target.logFile,
    systemdVersion: i.systemdVersion,
  };
}

export const serveDataDir = (i: CliInput & Pick<SpecInput, "account">) => {
  const set = given(serveOptions, i)["data-dir"];
  return resolve(typeof set?.raw === "string" ? set.raw : dataDir({ ...i.env, HOME: i.account.home }));
};

/** PATH (with the folders that must be on it first) and HOME: a service reads no shell profile. */
function capturedEnv(env: Env, account: Account, firstOnPath: string[]): Record<string, string> {
  const path = [...new Set([...firstOnPath, ...(env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":")].filter(Boolean))].join(":");
  return { PATH: path, HOME: account.home, ...(env.LANG ? { LANG: env.LANG } : {}) };
}
