/**
 * What `ra service install` puts under a service manager, independent of which one: the command
 * line, the folder it runs in, the environment captured at install time, and where the secrets
 * go. systemd-unit.ts and launchd-plist.ts render it; nothing here touches the machine.
 */
export type ServiceRole = "agent" | "serve";
export type ServiceScope = "user" | "system";

export interface ServiceSpec {
  role: ServiceRole;
  scope: ServiceScope;
  /** Absolute path of the ra binary, then its arguments (`agent --root /home/pi/code …`). */
  argv: string[];
  workingDir: string;
  /** Plain environment captured at install time (PATH, HOME, LANG); written into the unit/plist. */
  env: Record<string, string>;
  /** Secrets (RA_BOT_TOKEN, CLAUDE_CODE_OAUTH_TOKEN): a 0600 env file for systemd, the 0600 plist for launchd. */
  secrets: Record<string, string>;
  /** systemd: the EnvironmentFile holding `secrets` (only when there are any). */
  envFile?: string;
  /** systemd system units: the account the service runs as (never root for the agent). */
  user?: string;
  /** systemd: the data dir ra serve writes to, the one writable path under ProtectSystem=strict. */
  writablePaths?: string[];
  /** launchd: stdout and stderr go here. */
  logFile?: string;
  /** systemd: the manager's version, to use directives only newer versions know. */
  systemdVersion?: number;
}

export const DESCRIPTIONS: Record<ServiceRole, string> = {
  agent: "ra agent: runs Claude Code prompts sent from Telegram",
  serve: "ra serve: the Telegram bot and relay for ra agents",
};

/** `ra-agent.service` / `ra-serve.service`. */
export const unitName = (role: ServiceRole) => `ra-${role}.service`;
/** `com.ra.agent` / `com.ra.serve`. */
export const launchdLabel = (role: ServiceRole) => `com.ra.${role}`;
