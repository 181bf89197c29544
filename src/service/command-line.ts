/** A service's arguments, derived from its command's options table (options/serve.ts, options/agent.ts). */
import { resolve } from "node:path";
import type { Given, Raw, ServiceOptions } from "../options/define";

/** The flags whose value build-spec.ts works out itself (`service: { computed }` in the table). */
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
