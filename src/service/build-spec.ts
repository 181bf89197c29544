/**
 * Turns `ra service install` arguments into a ServiceSpec: everything the service needs is made
 * absolute and checked now, while a person is there to fix it (not paired, no claude, no token),
 * instead of failing at boot in a log nobody reads.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadAgentConfig } from "../agent/config";
import { findClaude } from "../agent/find-claude";
import { ExitCode, RaError } from "../errors";
import { agentOptions, maxMode } from "../options/agent";
import { type CliInput, type Env, type Given, given, parseGiven, parseOptions, type Raw, type ServiceOptions } from "../options/define";
import { isBotToken, type ServeValues, serveOptions } from "../options/serve";
import { agentConfigPath, dataDir } from "../paths";
import { checkServeOptions } from "../relay/config";
import type { Account } from "./account";
import type { ServiceLayout } from "./layout";
import type { ServiceScope, ServiceSpec } from "./spec";

export type InstallArgs = Record<string, unknown>;

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
  const { argv, secrets } = serviceArgs(agentOptions, set, { config, root: roots, claude });
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

/** The flags whose value build-spec works out itself (`service: { computed }` in the table). */
type Computed<T extends ServiceOptions> = { [F in keyof T]: T[F]["service"] extends { computed: string } ? F : never }[keyof T];

/**
 * The service's arguments from its options table, in table order: each option given at install
 * (flag or variable) as the table says — as given, made absolute, or as computed here; secrets go
 * to the env file under their variable instead of the command line; excluded ones nowhere.
 */
export function serviceArgs<T extends ServiceOptions>(table: T, set: Record<string, Given>, computed: { [F in Computed<T>]: Raw | undefined }): { argv: string[]; secrets: Record<string, string> } {
  const argv: string[] = [];
  const secrets: Record<string, string> = {};
  for (const [flag, o] of Object.entries(table)) {
    if (typeof o.service === "object" && "excluded" in o.service) continue;
    const raw = typeof o.service === "object" ? (computed as Record<string, Raw | undefined>)[flag] : set[flag]?.raw;
    if (raw === undefined) continue;
    if (o.secret) {
      if (!o.env) throw new Error(`secret option --${flag} has no variable to pass it in`);
      secrets[o.env] = String(raw);
    } else if (typeof raw === "boolean") argv.push(raw ? `--${flag}` : `--no-${flag}`);
    else for (const value of Array.isArray(raw) ? raw : [raw]) argv.push(`--${flag}`, o.service === "path" ? resolve(value) : value);
  }
  return { argv, secrets };
}
