/**
 * The real launchd manager: `launchctl bootstrap/bootout/kickstart/print` in the user's GUI domain
 * (not the legacy load/unload), and `tail` for the log file.
 */
import { existsSync } from "node:fs";
import { ExitCode, RaError } from "../errors";
import type { Exec } from "./exec";
import type { ServiceManager, ServiceState, ServiceTarget } from "./manager";

export function launchdManager(exec: Exec, uid: number = process.getuid?.() ?? 501): ServiceManager {
  const domain = `gui/${uid}`;
  const job = (t: ServiceTarget) => `${domain}/${t.name}`;
  const loaded = async (t: ServiceTarget) => (await exec.run(["launchctl", "print", job(t)])).code === 0;
  const must = async (argv: string[]) => {
    const result = await exec.run(argv);
    if (result.code !== 0) {
      throw new RaError("launchctl", `\`${argv.join(" ")}\` failed: ${(result.stderr || result.stdout).trim() || `exit ${result.code}`}`, {
        hint: "see `ra service logs`; `plutil -lint` checks the plist",
        exitCode: ExitCode.failure,
      });
    }
  };
  return {
    kind: "launchd",
    version: async () => undefined,
    // launchd reads the plist at bootstrap: a changed file needs bootout + bootstrap (restart does that).
    async reload(t) {
      if (!existsSync(t.file) && (await loaded(t))) await exec.run(["launchctl", "bootout", job(t)]);
    },
    enable: (t) => must(["launchctl", "enable", job(t)]),
    async disable(t) {
      if (await loaded(t)) await exec.run(["launchctl", "bootout", job(t)]);
    },
    // RunAtLoad starts it at bootstrap; kickstart covers a loaded job that is not running.
    async start(t) {
      if (await loaded(t)) await must(["launchctl", "kickstart", job(t)]);
      else await must(["launchctl", "bootstrap", domain, t.file]);
    },
    async stop(t) {
      if (await loaded(t)) await must(["launchctl", "bootout", job(t)]);
    },
    async restart(t) {
      if (await loaded(t)) await must(["launchctl", "bootout", job(t)]);
      await must(["launchctl", "bootstrap", domain, t.file]);
    },
    async state(t) {
      const result = await exec.run(["launchctl", "print", job(t)]);
      return { ...parseLaunchctlPrint(result.code === 0 ? result.stdout : ""), enabled: existsSync(t.file) };
    },
    logs: (t, { follow, lines }) => exec.attach(["tail", "-n", String(lines), ...(follow ? ["-F"] : []), t.logFile ?? "/dev/null"]),
    linger: async () => undefined,
    setLinger: async () => {},
  };
}

export function parseLaunchctlPrint(stdout: string): Omit<ServiceState, "enabled"> {
  const field = (name: string) => stdout.match(new RegExp(`^\\s*${name} = (.+)$`, "m"))?.[1]?.trim();
  const state = field("state");
  const pid = Number(field("pid") ?? 0);
  const last = field("last exit code");
  return {
    running: state === "running",
    pid: pid > 0 ? pid : undefined,
    lastExit: last === undefined ? undefined : last === "(never exited)" ? "never exited" : `exit code ${last}`,
    detail: stdout ? state ?? "loaded" : "not loaded (starts at the next login, or run `ra service start`)",
  };
}
