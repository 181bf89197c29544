/**
 * Renders a ServiceSpec as a launchd job (a LaunchAgent in ~/Library/LaunchAgents). KeepAlive with
 * SuccessfulExit=false respawns crashes but not a clean exit; launchd cannot exclude one exit code,
 * so RA_SUPERVISOR=launchd makes ra exit 0 instead of 2/77/78 on a final error (unpaired,
 * revoked, bad token) and launchd leaves it stopped instead of respawning it every ThrottleInterval seconds.
 * Secrets sit in EnvironmentVariables (launchd jobs cannot read the login keychain), so the file
 * is written with mode 0600.
 */
import { launchdLabel, type ServiceSpec } from "./spec";

export function renderLaunchdPlist(spec: ServiceSpec): string {
  const env = { ...spec.env, RA_SUPERVISOR: "launchd", ...spec.secrets };
  const entries: [string, string][] = [
    ["Label", str(launchdLabel(spec.role))],
    ["ProgramArguments", `<array>\n${spec.argv.map((arg) => `\t\t${str(arg)}`).join("\n")}\n\t</array>`],
    ["WorkingDirectory", str(spec.workingDir)],
    ["EnvironmentVariables", `<dict>\n${Object.entries(env).map(([k, v]) => `\t\t<key>${xml(k)}</key>\n\t\t${str(v)}`).join("\n")}\n\t</dict>`],
    ["RunAtLoad", "<true/>"],
    ["KeepAlive", "<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>"],
    ["ThrottleInterval", "<integer>15</integer>"],
    // SIGTERM first; ra ends running turns and flushes its outbox within this time.
    ["ExitTimeOut", "<integer>20</integer>"],
    ...(spec.logFile ? ([["StandardOutPath", str(spec.logFile)], ["StandardErrorPath", str(spec.logFile)]] as [string, string][]) : []),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    "<!-- Written by `ra service install`; `ra service uninstall` removes it. -->",
    '<plist version="1.0">',
    "<dict>",
    ...entries.map(([key, value]) => `\t<key>${key}</key>\n\t${value}`),
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}

const xml = (value: string) =>
  value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&apos;");
const str = (value: string) => `<string>${xml(value)}</string>`;
