import { ExitCode, RaError } from "../errors";
import { bunExec, type Exec } from "./exec";
import { launchdManager } from "./launchd";
import type { ServiceManager } from "./manager";
import { recordingManager } from "./recording";
import { systemdManager } from "./systemd";

/** systemd on Linux, launchd on macOS; RA_TEST_SERVICE_MANAGER=<systemd|launchd>:<log> selects the recording fake. */
export function selectServiceManager(env: Record<string, string | undefined> = process.env, platform: string = process.platform, exec: Exec = bunExec): ServiceManager {
  const test = env.RA_TEST_SERVICE_MANAGER;
  if (test) {
    const match = test.match(/^(systemd|launchd):(.+)$/);
    if (!match) throw new RaError("usage", `RA_TEST_SERVICE_MANAGER="${test}" is not <systemd|launchd>:<log file>`, { exitCode: ExitCode.usage });
    return recordingManager(match[1] as "systemd" | "launchd", match[2]!);
  }
  if (platform === "darwin") return launchdManager(exec);
  if (platform === "linux") {
    if (!exec.which("systemctl")) {
      throw new RaError("no_systemd", "this machine has no systemd (no `systemctl` on PATH)", {
        hint: "start `ra agent` from your init system or a `@reboot` crontab line instead",
        exitCode: ExitCode.unavailable,
      });
    }
    return systemdManager(exec);
  }
  throw new RaError("unsupported_platform", `ra service supports Linux (systemd) and macOS (launchd), not ${platform}`, { exitCode: ExitCode.unavailable });
}
