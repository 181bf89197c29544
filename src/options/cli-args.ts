/** Reading values out of a command line and the environment; shared by the commands and `ra service install`. */

/** Every value of a comma-separated list, from one string or several (`--owner 1,2 --owner 3`). */
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

/** A switch set in the environment: 1/true/yes/on or 0/false/no/off; anything else is returned as it is, to be refused. */
export function envSwitch(value: string): boolean | string {
  if (/^(1|true|yes|on)$/i.test(value.trim())) return true;
  if (/^(0|false|no|off)$/i.test(value.trim())) return false;
  return value;
}
