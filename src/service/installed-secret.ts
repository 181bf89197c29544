import { existsSync, readFileSync } from "node:fs";
import type { ServiceLayout } from "./layout";

/** A secret an installed service holds (systemd: its EnvironmentFile; launchd: the plist's EnvironmentVariables). */
export function installedSecret(layout: ServiceLayout, key: string): string | undefined {
  const file = layout.envFile ?? layout.target.file;
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined; // another user's file (e.g. /etc/ra without sudo)
  }
  const match = layout.envFile ? text.match(new RegExp(`^${key}="?([^"\\n]*)"?$`, "m")) : text.match(new RegExp(`<key>${key}</key>\\s*<string>([^<]*)</string>`));
  return match?.[1] || undefined;
}
