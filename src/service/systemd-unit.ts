/**
 * Renders a ServiceSpec as a systemd unit. Choices (security-reliability.md §7.4): exits 2, 77
 * and 78 (wrong flags, revoked, bad config) are final, anything else restarts with a growing delay
 * and never gives up for good (a headless Pi must come back by itself); PATH and HOME are written
 * in because user units read no shell profile; the agent gets only hardening that leaves claude
 * free to edit the user's projects (no ProtectHome, no UMask), the relay gets the strict set.
 * No MemoryDenyWriteExecute: Bun's JavaScriptCore JITs.
 */
import { FINAL_EXITS } from "../errors";
import { DESCRIPTIONS, type ServiceSpec } from "./spec";

/** systemd ≥ 254 understands RestartSteps=/RestartMaxDelaySec=; older ones log "Unknown key". */
const GROWING_RESTART_DELAY = 254;

export function renderSystemdUnit(spec: ServiceSpec): string {
  const system = spec.scope === "system";
  const unit = [
    `Description=${DESCRIPTIONS[spec.role]}`,
    // network-online.target exists only in the system manager; in a user manager it does nothing.
    ...(system ? ["Wants=network-online.target", "After=network-online.target"] : []),
    "StartLimitIntervalSec=0",
  ];
  const service = [
    "Type=simple",
    ...(system && spec.user ? [`User=${spec.user}`] : []),
    `ExecStart=${spec.argv.map(quoteArg).join(" ")}`,
    `WorkingDirectory=${escapeSpecifiers(spec.workingDir)}`,
    ...Object.entries(spec.env).map(([key, value]) => `Environment=${quoteArg(`${key}=${value}`)}`),
    ...(spec.envFile && Object.keys(spec.secrets).length > 0 ? [`EnvironmentFile=${escapeSpecifiers(spec.envFile)}`] : []),
    "Restart=on-failure",
    "RestartSec=5s",
    ...((spec.systemdVersion ?? 0) >= GROWING_RESTART_DELAY ? ["RestartSteps=10", "RestartMaxDelaySec=5min"] : []),
    `RestartPreventExitStatus=${FINAL_EXITS.join(" ")}`,
    "KillMode=control-group",
    "TimeoutStopSec=20s",
    "NoNewPrivileges=yes",
    "PrivateTmp=yes",
    ...(spec.role === "serve" ? serveHardening(spec) : []),
  ];
  return [
    "# Written by `ra service install`; `ra service uninstall` removes it. Edits are overwritten on the next install.",
    "[Unit]",
    ...unit,
    "",
    "[Service]",
    ...service,
    "",
    "[Install]",
    `WantedBy=${system ? "multi-user.target" : "default.target"}`,
    "",
  ].join("\n");
}

/** The relay only needs its data dir and the network. */
function serveHardening(spec: ServiceSpec): string[] {
  const common = [
    "UMask=0077",
    "ProtectSystem=strict",
    "ProtectHome=read-only",
    ...(spec.writablePaths ?? []).map((path) => `ReadWritePaths=${escapeSpecifiers(path)}`),
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
  ];
  if (spec.scope !== "system") return common;
  return [
    ...common,
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    "RestrictNamespaces=yes",
    "SystemCallArchitectures=native",
    "CapabilityBoundingSet=",
  ];
}

/** `%` starts a specifier everywhere in a unit file. */
const escapeSpecifiers = (value: string) => value.replaceAll("%", "%%");

/** One ExecStart=/Environment= word: bare when safe, else double-quoted with C escapes; `$` doubled so it is not expanded. */
export function quoteArg(value: string): string {
  const escaped = escapeSpecifiers(value).replaceAll("$", () => "$$");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
}

/** The EnvironmentFile: KEY="value" lines, read by systemd only (mode 0600). */
export function renderEnvFile(secrets: Record<string, string>): string {
  const lines = Object.entries(secrets).map(([key, value]) => `${key}="${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`);
  return `# Secrets for ra's service, read by systemd (EnvironmentFile=). Mode 0600.\n${lines.join("\n")}\n`;
}
