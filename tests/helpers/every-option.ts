/**
 * A command line that gives every option of a table: each option's `example` (a list one as
 * repeated flags, `--owner 5 --owner 6`), or the value a test passes for it (real files, folders).
 */
import { parseArgs } from "citty";
import { type CliInput, cittyArgs, type Options, type Raw } from "../../src/options/define";

export function everyOption(table: Options, values: Record<string, Raw> = {}): string[] {
  return Object.entries(table).flatMap(([flag, o]) => flagWords(flag, values[flag] ?? o.example));
}

export function flagWords(flag: string, value: Raw): string[] {
  if (typeof value === "boolean") return value ? [`--${flag}`] : [`--no-${flag}`];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => [`--${flag}`, v]);
}

/** What a command receives for these raw arguments: citty's parse of them with the table's args. */
export const cli = (table: Options, rawArgs: string[], env: Record<string, string | undefined> = {}): CliInput => ({
  args: parseArgs(rawArgs, cittyArgs(table)) as Record<string, unknown>,
  rawArgs,
  env,
});
