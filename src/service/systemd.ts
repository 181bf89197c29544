/** The real systemd manager: systemctl, journalctl and loginctl, through the Exec seam. */
import { ExitCode, RaError } from "../errors";
import type { Exec } from "./exec";
import type { ServiceManager, ServiceState, ServiceTarget } from "./manager";

const SHOW_PROPERTIES = ["ActiveState", "SubState", "UnitFileState", "MainPID", "ExecMainStatus", "ExecMainCode", "ExecMainExitTimestamp", "Result"];

export function systemdManager(exec: Exec): ServiceManager {
  const systemctl = (target: Pick<ServiceTarget, "scope">, ...args: string[]) => ["systemctl", ...(target.scope === "user" ? ["--user"] : []), ...args];
  const must = async (argv: string[]) => {
    const result = await exec.run(argv);
    if (result.code !== 0) throw systemctlError(argv, result.stderr || result.stdout);
    return result;
  };
  return {
    kind: "systemd",
    async version() {
      const result = await exec.run(["systemctl", "--version"]);
      const match = result.stdout.match(/^systemd (\d+)/);
      return match ? Number(match[1]) : undefined;
    },
    reload: async (t) => void (await must(systemctl(t, "daemon-reload"))),
    enable: async (t) => void (await must(systemctl(t, "enable", t.name))),
    async disable(t) {
      await exec.run(systemctl(t, "disable", t.name));
      await exec.run(systemctl(t, "reset-failed", t.name));
    },
    start: async (t) => void (await must(systemctl(t, "start", t.name))),
    stop: async (t) => void (await must(systemctl(t, "stop", t.name))),
    restart: async (t) => void (await must(systemctl(t, "restart", t.name))),
    async state(t) {
      const result = await must(systemctl(t, "show", t.name, `--property=${SHOW_PROPERTIES.join(",")}`));
      return parseSystemdShow(result.stdout);
    },
    logs: (t, { follow, lines }) =>
      exec.attach(["journalctl", ...(t.scope === "user" ? ["--user"] : []), "-u", t.name, "-n", String(lines), "--no-pager", ...(follow ? ["-f"] : [])]),
    async linger(user) {
      const result = await exec.run(["loginctl", "show-user", user, "--property=Linger", "--value"]);
      // "User … is not logged in or lingering" also means no linger.
      return result.code === 0 && result.stdout.trim() === "yes";
    },
    async setLinger(user, on) {
      const argv = ["loginctl", on ? "enable-linger" : "disable-linger", user];
      const result = await exec.run(argv);
      if (result.code !== 0) {
        throw new RaError("linger", `\`${argv.join(" ")}\` failed: ${(result.stderr || result.stdout).trim()}`, {
          hint: `run it with sudo: sudo ${argv.join(" ")}`,
          exitCode: ExitCode.failure,
        });
      }
    },
  };
}

export function parseSystemdShow(stdout: string): ServiceState {
  const props = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) props.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const active = props.get("ActiveState") ?? "unknown";
  const pid = Number(props.get("MainPID") ?? 0);
  const exitedAt = props.get("ExecMainExitTimestamp");
  const status = props.get("ExecMainStatus");
  // ExecMainCode is a CLD_* code: 1 exited, 2 killed, 3 dumped core.
  const how = props.get("ExecMainCode") === "1" ? "exit status" : "signal";
  return {
    running: active === "active" || active === "activating" || active === "reloading",
    enabled: props.get("UnitFileState") === "enabled",
    pid: pid > 0 ? pid : undefined,
    lastExit: exitedAt ? `${how} ${status} at ${exitedAt}` : "never exited",
    detail: `${active} (${props.get("SubState") ?? "?"}${props.get("Result") && props.get("Result") !== "success" ? `, result: ${props.get("Result")}` : ""})`,
  };
}

function systemctlError(argv: string[], output: string): RaError {
  const text = output.trim();
  if (/Failed to connect to (user scope )?bus|No medium found|\$DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR/i.test(text)) {
    return new RaError("systemd_user_bus", `cannot reach your systemd user manager (${text.split("\n")[0]})`, {
      hint: "log in as this user directly (ssh user@host, not su/sudo), or run: export XDG_RUNTIME_DIR=/run/user/$(id -u)",
      exitCode: ExitCode.unavailable,
    });
  }
  return new RaError("systemctl", `\`${argv.join(" ")}\` failed: ${text || "no output"}`, {
    hint: "see `ra service logs` and `ra service status`",
    exitCode: ExitCode.failure,
  });
}
