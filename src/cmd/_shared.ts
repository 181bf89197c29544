import type { ArgsDef } from "citty";
import { configureLogging, LOG_LEVELS, type LogFormat, type LogLevelName } from "../log";
import { ExitCode, FINAL_EXITS, formatError, RaError } from "../errors";

export const logArgs = {
  "log-level": { type: "string", description: "error, warn, info, debug or trace (env RA_LOG_LEVEL)", valueHint: "level" },
  "log-format": { type: "string", description: "pretty or json (env RA_LOG_FORMAT)", valueHint: "format" },
} as const satisfies ArgsDef;

type Env = Record<string, string | undefined>;

export function setupLogging(args: { "log-level"?: string; "log-format"?: string }, env: Env = process.env): void {
  const level = (args["log-level"] ?? env.RA_LOG_LEVEL ?? "info") as LogLevelName;
  const format = (args["log-format"] ?? env.RA_LOG_FORMAT ?? "pretty") as LogFormat;
  if (!(level in LOG_LEVELS)) throw usage(`unknown log level "${level}"`, "use one of: error, warn, info, debug, trace");
  if (format !== "pretty" && format !== "json") throw usage(`unknown log format "${format}"`, "use pretty or json");
  configureLogging(level, format);
}

export const usage = (message: string, hint?: string) => new RaError("usage", message, { hint, exitCode: ExitCode.usage });

/** The one place errors become output and exit codes. Commands throw; this reports. */
export async function guard(fn: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`✖ ${formatError(err)}\n`);
    process.exitCode = err instanceof RaError ? err.exitCode : ExitCode.failure;
    // launchd can only be told "do not respawn after a clean exit" (service/launchd-plist.ts).
    if (process.env.RA_SUPERVISOR === "launchd" && FINAL_EXITS.includes(process.exitCode)) process.exitCode = ExitCode.ok;
  }
}

/** A person is at the keyboard (prompts are possible); false in CI, pipes and services. */
export const canPrompt = () => Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI;

/** Resolves on the first SIGINT/SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export function list(value: unknown): string[] {
  if (value === undefined || value === null || value === "") return [];
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => String(v).split(",")).map((v) => v.trim()).filter(Boolean);
}

/**
 * Every value of a repeatable flag (`--owner 1 --owner 2`, `--root=a`): citty keeps only the last,
 * so repeatable flags are read from the raw arguments. Stops at `--`.
 */
export function repeated(rawArgs: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (arg === `--${name}` && i + 1 < rawArgs.length) values.push(rawArgs[++i]!);
    else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
  }
  return values;
}
