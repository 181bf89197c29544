/**
 * The machinery behind the options tables (serve.ts, agent.ts, pair.ts, log.ts). One entry per
 * option says everything about it; the rest is derived here: citty's `args` (the help shows the
 * variable and the default), flag > env > default resolution, the parsed values (an error names
 * the flag and what it takes), and — in service/build-spec.ts — the unit's command line.
 */
import type { ArgsDef } from "citty";
import type { z, ZodIssue } from "../proto/zod";
import { ExitCode, RaError } from "../errors";
import { envSwitch, list, repeated } from "./cli-args";

export type Env = Record<string, string | undefined>;

/** A value before parsing: a string, every value of a list option, or a switch. */
export type Raw = string | string[] | boolean;

/** What `ra service install` does with an option. Every serve and agent option says which. */
export type ServiceUse =
  /** Put on the service's command line as given at install time (flag or variable); a secret goes to its env file instead. */
  | "pass"
  /** Like "pass", made absolute first: the service runs in another folder. */
  | "path"
  /** service/build-spec.ts works the value out itself (checks it, fills in a default); the text says how. */
  | { computed: string }
  /** Never reaches the service; the text says why. */
  | { excluded: string };

export interface Option {
  /** The field of the parsed values, e.g. "maxMessages". */
  key: string;
  /** "string" takes one value; "list" is repeatable and comma-separated (also in the variable); "boolean" is a switch. */
  kind: "string" | "list" | "boolean";
  env?: `RA_${string}`;
  /**
   * Parses the raw value (a string, a string[] for lists, a boolean for switches) into what the
   * command uses. Its messages complete "--flag …", e.g. "takes a whole number from 1 to 50".
   */
  type: z.ZodMiniType;
  /** Used when neither the flag nor the variable is set; parsed like a given value. A function when it depends on the environment. */
  default?: string | ((env: Env) => string | string[]);
  /** How a function default reads in --help, e.g. "~/.local/share/ra". */
  shownDefault?: string;
  help: string;
  valueHint?: string;
  /** Shown under the error when the value does not parse. */
  hint?: string;
  /** Never echoed in an error; `ra service install` puts it in the service's env file, never on its command line. */
  secret?: boolean;
  service?: ServiceUse;
  /** A valid value, as given on a command line; tests hand every option to the command and to `ra service install`. */
  example: Raw;
}

export type Options = Record<string, Option>;
export type ServiceOptions = Record<string, Option & { service: ServiceUse }>;

/** Keeps the literal types of a table (keys, kinds, zod types) so its values are typed. */
export const defineOptions = <const T extends Options>(table: T): T => table;

type Value<O extends Option> = O["kind"] extends "string" ? (O extends { default: unknown } ? z.output<O["type"]> : z.output<O["type"]> | undefined) : z.output<O["type"]>;
/** The parsed values of a table, by `key`. */
export type Values<T extends Options> = { -readonly [F in keyof T as T[F]["key"]]: Value<T[F]> };

export const usage = (message: string, hint?: string) => new RaError("usage", message, { hint, exitCode: ExitCode.usage });

/** citty `args` for a table. */
export function cittyArgs(table: Options): ArgsDef {
  const args: ArgsDef = {};
  for (const [flag, o] of Object.entries(table)) {
    args[flag] = o.kind === "boolean" ? { type: "boolean", description: helpText(o) } : { type: "string", description: helpText(o), valueHint: o.valueHint };
  }
  return args;
}

export function helpText(o: Option): string {
  const notes: string[] = [];
  if (o.env) notes.push(o.kind === "boolean" ? `env ${o.env}=1` : o.kind === "list" ? `env ${o.env}, comma-separated` : `env ${o.env}`);
  const shown = o.shownDefault ?? (typeof o.default === "string" ? o.default : undefined);
  if (shown) notes.push(`default ${shown}`);
  return `${o.help}${o.kind === "list" ? "; repeatable" : ""}${notes.length ? ` (${notes.join(", ")})` : ""}`;
}

/** What a command was given: citty's parsed args, the raw arguments (for repeated flags) and the environment. */
export interface CliInput {
  args: Record<string, unknown>;
  rawArgs: readonly string[];
  env: Env;
}

export interface Given {
  raw: Raw;
  from: "flag" | "env";
}

/** The value of each option that was set, by flag: the flag wins over the variable. Defaults are not filled in. */
export function given(table: Options, { args, rawArgs, env }: CliInput): Record<string, Given> {
  const out: Record<string, Given> = {};
  for (const [flag, o] of Object.entries(table)) {
    const fromFlag = args[flag];
    // An empty list counts as not given, so the variable or the default applies.
    const flagRaw = fromFlag === undefined ? undefined : o.kind === "list" ? list(repeated(rawArgs, flag)) : (fromFlag as string | boolean);
    if (flagRaw !== undefined && !(Array.isArray(flagRaw) && flagRaw.length === 0)) {
      out[flag] = { raw: flagRaw, from: "flag" };
      continue;
    }
    const fromEnv = o.env ? env[o.env] : undefined;
    if (fromEnv === undefined || fromEnv === "") continue;
    const envRaw = o.kind === "list" ? list(fromEnv) : o.kind === "boolean" ? envSwitch(fromEnv) : fromEnv;
    if (!(Array.isArray(envRaw) && envRaw.length === 0)) out[flag] = { raw: envRaw, from: "env" };
  }
  return out;
}

/** Flag > env > default, each parsed by its option's type; the first bad value is a usage error naming the flag. */
export function parseOptions<T extends Options>(table: T, input: CliInput): Values<T> {
  return parseGiven(table, given(table, input), input.env);
}

/** parseOptions for values already gathered by `given` (defaults come from `env`). */
export function parseGiven<T extends Options>(table: T, set: Record<string, Given>, env: Env): Values<T> {
  const values: Record<string, unknown> = {};
  for (const [flag, o] of Object.entries(table)) {
    const raw = set[flag]?.raw ?? defaultOf(o, env);
    if (raw === undefined) {
      values[o.key] = undefined;
      continue;
    }
    const parsed = o.type.safeParse(raw);
    if (!parsed.success) throw invalid(flag, o, set[flag], raw, parsed.error.issues[0]!);
    values[o.key] = parsed.data;
  }
  return values as Values<T>;
}

function defaultOf(o: Option, env: Env): Raw | undefined {
  if (typeof o.default === "function") return o.default(env);
  if (o.default !== undefined) return o.default;
  return o.kind === "list" ? [] : o.kind === "boolean" ? false : undefined;
}

function invalid(flag: string, o: Option, set: Given | undefined, raw: Raw, issue: ZodIssue): RaError {
  const where = set?.from === "env" ? `--${flag} (from ${o.env})` : `--${flag}`;
  const index = Array.isArray(raw) && typeof issue.path[0] === "number" ? issue.path[0] : undefined;
  const bad = index === undefined ? raw : (raw as string[])[index];
  const shown = o.secret || typeof bad === "boolean" ? "" : `, not ${JSON.stringify(Array.isArray(bad) ? bad.join(",") : bad)}`;
  return usage(`${where} ${issue.message}${shown}`, o.hint);
}

/** One option's value from elsewhere (typed at a prompt), parsed and reported like the flag. */
export function parseOne<T extends Options, F extends keyof T & string>(table: T, flag: F, raw: Raw): z.output<T[F]["type"]> {
  const parsed = table[flag]!.type.safeParse(raw);
  if (!parsed.success) throw invalid(flag, table[flag]!, { raw, from: "flag" }, raw, parsed.error.issues[0]!);
  return parsed.data as z.output<T[F]["type"]>;
}
