/**
 * Installing and removing one ra service: write the unit/plist (and the secrets file), tell the
 * manager, start it, offer linger, remember what was done. Every step says what it did; running
 * it again with the same settings changes nothing and leaves a running service alone.
 */
import { existsSync, mkdirSync } from "node:fs";
import { buildInfo } from "../build-info";
import { removeFile, writeIfChanged } from "./files";
import { renderLaunchdPlist } from "./launchd-plist";
import type { ServiceLayout } from "./layout";
import type { ServiceManager } from "./manager";
import { readManifest, writeManifest } from "./manifest";
import type { ServiceSpec } from "./spec";
import { renderEnvFile, renderSystemdUnit } from "./systemd-unit";

export type Say = (line: string) => void;

export interface InstallOptions {
  manager: ServiceManager;
  layout: ServiceLayout;
  spec: ServiceSpec;
  /** The account the service runs as (for linger). */
  user: string;
  /** Linger for a systemd user service: true/false from --linger/--no-linger, else `ask`. */
  linger: boolean | undefined;
  /** Asks yes/no; undefined when nobody can be asked (no terminal). */
  ask?: (question: string) => Promise<boolean>;
}

export async function installService(o: InstallOptions, say: Say): Promise<void> {
  const { manager, layout, spec } = o;
  const { target } = layout;
  const hasSecrets = Object.keys(spec.secrets).length > 0;
  const previous = readManifest(layout.manifest);

  const content = manager.kind === "systemd" ? renderSystemdUnit(spec) : renderLaunchdPlist(spec);
  const fileChanged = writeIfChanged(target.file, content, manager.kind === "launchd" && hasSecrets ? 0o600 : 0o644);
  say(fileChanged ? `wrote ${target.file}` : `${target.file} is already up to date`);
  let secretsChanged = false;
  if (layout.envFile) {
    if (hasSecrets) {
      secretsChanged = writeIfChanged(layout.envFile, renderEnvFile(spec.secrets), 0o600);
      say(`${secretsChanged ? "wrote" : "kept"} the secrets (${Object.keys(spec.secrets).join(", ")}) in ${layout.envFile} (mode 0600)`);
    } else if (removeFile(layout.envFile)) {
      secretsChanged = true;
      say(`removed ${layout.envFile} (no secrets to keep)`);
    }
  }
  if (layout.logDir) mkdirSync(layout.logDir, { recursive: true, mode: 0o700 });

  if (fileChanged || secretsChanged) await manager.reload(target);
  await manager.enable(target);
  const before = await manager.state(target);
  if (!before.running) {
    await manager.start(target);
    say(`started ${target.name}`);
  } else if (fileChanged || secretsChanged) {
    await manager.restart(target);
    say(`restarted ${target.name} with the new settings`);
  } else {
    say(`${target.name} is already running; nothing changed`);
  }

  const lingerEnabledByRa = (await offerLinger(o, say)) || (previous?.lingerEnabledByRa ?? false);
  writeManifest(layout.manifest, {
    role: spec.role,
    scope: spec.scope,
    kind: manager.kind,
    files: [target.file, ...(layout.envFile && hasSecrets ? [layout.envFile] : [])],
    argv: spec.argv,
    lingerEnabledByRa,
    user: o.user,
    installedAt: previous && !fileChanged && !secretsChanged ? previous.installedAt : new Date().toISOString(),
    version: buildInfo().version,
  });
}

/** Linger lets a systemd user manager (and so the agent) start at boot without anyone logging in. Returns true when ra turned it on. */
async function offerLinger(o: InstallOptions, say: Say): Promise<boolean> {
  if (o.spec.scope !== "user") return false;
  const on = await o.manager.linger(o.user);
  if (on === undefined) {
    say("it starts when you log in (macOS runs LaunchAgents at login; turn on automatic login for a Mac without a screen)");
    return false;
  }
  if (on) {
    say(`linger is on for ${o.user}: it starts at boot, without a login`);
    return false;
  }
  const want = o.linger ?? (o.ask ? await o.ask(`Start it at boot, before anyone logs in? (runs: loginctl enable-linger ${o.user})`) : false);
  if (want) {
    await o.manager.setLinger(o.user, true);
    say(`turned linger on for ${o.user} (loginctl enable-linger): it starts at boot, without a login`);
    return true;
  }
  say(`it starts when ${o.user} logs in. To start at boot without a login (a headless Pi): ra service install --linger, or loginctl enable-linger ${o.user}`);
  return false;
}

export interface UninstallOptions {
  manager: ServiceManager;
  layout: ServiceLayout;
  user: string;
  /** Other ra services of this user still installed (linger stays on for them). */
  othersInstalled: boolean;
}

export async function uninstallService(o: UninstallOptions, say: Say): Promise<boolean> {
  const { manager, layout } = o;
  const { target } = layout;
  const manifest = readManifest(layout.manifest);
  if (!existsSync(target.file) && !manifest) {
    say(`${target.name} is not installed; nothing to remove`);
    return false;
  }
  const state = await manager.state(target).catch(() => undefined);
  if (state?.running) {
    await manager.stop(target);
    say(`stopped ${target.name}`);
  }
  await manager.disable(target);
  for (const file of new Set([target.file, ...(layout.envFile ? [layout.envFile] : []), ...(manifest?.files ?? [])])) {
    if (removeFile(file)) say(`removed ${file}`);
  }
  await manager.reload(target);
  if (manifest?.lingerEnabledByRa && !o.othersInstalled) {
    await manager.setLinger(o.user, false);
    say(`turned linger off for ${o.user} again (ra had turned it on)`);
  }
  removeFile(layout.manifest);
  if (layout.logDir && layout.target.logFile && existsSync(layout.target.logFile)) say(`kept the log ${layout.target.logFile} (delete it when you no longer need it)`);
  return true;
}
