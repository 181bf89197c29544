/** Where `ra service` puts its files, per manager, scope and role. */
import { join } from "node:path";
import { configDir } from "../paths";
import type { ManagerKind, ServiceTarget } from "./manager";
import { launchdLabel, type ServiceRole, type ServiceScope, unitName } from "./spec";

type Env = Record<string, string | undefined>;

export interface ServiceLayout {
  kind: ManagerKind;
  role: ServiceRole;
  target: ServiceTarget;
  /** systemd: the 0600 EnvironmentFile for secrets. */
  envFile?: string;
  /** launchd: the folder of the log file (created at install). */
  logDir?: string;
  /** What ra installed (read by uninstall and status). */
  manifest: string;
}

export function serviceLayout(kind: ManagerKind, role: ServiceRole, scope: ServiceScope, home: string, env: Env = process.env): ServiceLayout {
  if (kind === "launchd") {
    const logDir = join(home, "Library", "Logs", "ra");
    const name = launchdLabel(role);
    return {
      kind,
      role,
      target: { name, scope, file: join(home, "Library", "LaunchAgents", `${name}.plist`), logFile: join(logDir, `${role}.log`) },
      logDir,
      manifest: join(configDir({ ...env, HOME: home }), `service-${role}.json`),
    };
  }
  if (scope === "system") {
    return {
      kind,
      role,
      target: { name: unitName(role), scope, file: join("/etc/systemd/system", unitName(role)) },
      envFile: `/etc/ra/${role}.env`,
      manifest: `/etc/ra/service-${role}.json`,
    };
  }
  const config = env.XDG_CONFIG_HOME || join(home, ".config");
  return {
    kind,
    role,
    target: { name: unitName(role), scope, file: join(config, "systemd", "user", unitName(role)) },
    envFile: join(config, "ra", `${role}.env`),
    manifest: join(config, "ra", `service-${role}.json`),
  };
}
