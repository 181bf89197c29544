import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RaError } from "../../src/errors";
import type { Exec, ExecResult } from "../../src/service/exec";
import { launchdManager, parseLaunchctlPrint } from "../../src/service/launchd";
import type { ServiceTarget } from "../../src/service/manager";
import { parseSystemdShow, systemdManager } from "../../src/service/systemd";

/** An Exec that records argv and answers from a script: the first matching prefix wins. */
function scriptedExec(answers: [string, Partial<ExecResult>][] = []) {
  const calls: string[] = [];
  const exec: Exec = {
    async run(argv) {
      const line = argv.join(" ");
      calls.push(line);
      const found = answers.find(([prefix]) => line.startsWith(prefix))?.[1] ?? {};
      return { code: 0, stdout: "", stderr: "", ...found };
    },
    async attach(argv) {
      calls.push(`attach: ${argv.join(" ")}`);
      return 0;
    },
    which: (c) => `/usr/bin/${c}`,
  };
  return { exec, calls };
}

const user: ServiceTarget = { name: "ra-agent.service", scope: "user", file: "/home/pi/.config/systemd/user/ra-agent.service" };
const system: ServiceTarget = { name: "ra-serve.service", scope: "system", file: "/etc/systemd/system/ra-serve.service" };

describe("systemd manager", () => {
  test("user units go through systemctl --user, system units without it", async () => {
    const { exec, calls } = scriptedExec();
    const m = systemdManager(exec);
    await m.reload(user);
    await m.enable(user);
    await m.start(user);
    await m.restart(system);
    await m.stop(system);
    await m.disable(user);
    await m.logs(user, { follow: true, lines: 50 });
    await m.logs(system, { follow: false, lines: 10 });
    expect(calls).toEqual([
      "systemctl --user daemon-reload",
      "systemctl --user enable ra-agent.service",
      "systemctl --user start ra-agent.service",
      "systemctl restart ra-serve.service",
      "systemctl stop ra-serve.service",
      "systemctl --user disable ra-agent.service",
      "systemctl --user reset-failed ra-agent.service",
      "attach: journalctl --user -u ra-agent.service -n 50 --no-pager -f",
      "attach: journalctl -u ra-serve.service -n 10 --no-pager",
    ]);
  });

  test("state from systemctl show: running, enabled, pid, last exit", async () => {
    const show = "ActiveState=active\nSubState=running\nUnitFileState=enabled\nMainPID=812\nExecMainStatus=0\nExecMainCode=0\nExecMainExitTimestamp=\nResult=success\n";
    const { exec, calls } = scriptedExec([["systemctl --user show", { stdout: show }]]);
    expect(await systemdManager(exec).state(user)).toEqual({ running: true, enabled: true, pid: 812, lastExit: "never exited", detail: "active (running)" });
    expect(calls[0]).toStartWith("systemctl --user show ra-agent.service --property=ActiveState,SubState,UnitFileState,MainPID,");
    expect(
      parseSystemdShow("ActiveState=failed\nSubState=failed\nUnitFileState=disabled\nMainPID=0\nExecMainStatus=1\nExecMainCode=1\nExecMainExitTimestamp=Thu 2026-12-03 07:00:00 UTC\nResult=exit-code\n"),
    ).toEqual({ running: false, enabled: false, pid: undefined, lastExit: "exit status 1 at Thu 2026-12-03 07:00:00 UTC", detail: "failed (failed, result: exit-code)" });
  });

  test("no user bus (su/sudo shell) becomes an error that says how to get one", async () => {
    const { exec } = scriptedExec([["systemctl --user enable", { code: 1, stderr: "Failed to connect to bus: No medium found" }]]);
    const err = await systemdManager(exec).enable(user).catch((e) => e);
    expect(err).toBeInstanceOf(RaError);
    expect((err as RaError).hint).toContain("XDG_RUNTIME_DIR");
  });

  test("linger: read with loginctl show-user, set with enable-/disable-linger, sudo hint when refused", async () => {
    const { exec, calls } = scriptedExec([
      ["loginctl show-user pi", { stdout: "yes\n" }],
      ["loginctl show-user bob", { code: 1, stderr: "Failed to get user: User ID 1001 is not logged in or lingering" }],
      ["loginctl disable-linger", { code: 1, stderr: "Access denied" }],
    ]);
    const m = systemdManager(exec);
    expect(await m.linger("pi")).toBe(true);
    expect(await m.linger("bob")).toBe(false);
    await m.setLinger("pi", true);
    const err = (await m.setLinger("pi", false).catch((e) => e)) as RaError;
    expect(err.hint).toBe("run it with sudo: sudo loginctl disable-linger pi");
    expect(calls).toContain("loginctl enable-linger pi");
  });

  test("version from systemctl --version", async () => {
    const { exec } = scriptedExec([["systemctl --version", { stdout: "systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT\n" }]]);
    expect(await systemdManager(exec).version()).toBe(252);
  });
});

describe("launchd manager", () => {
  const dir = mkdtempSync(join(tmpdir(), "ra-launchd-"));
  const plist = join(dir, "com.ra.agent.plist");
  writeFileSync(plist, "<plist/>");
  const job: ServiceTarget = { name: "com.ra.agent", scope: "user", file: plist, logFile: "/Users/ann/Library/Logs/ra/agent.log" };
  const printed = "gui/501/com.ra.agent = {\n\tactive count = 1\n\tstate = running\n\tpid = 4711\n\tlast exit code = (never exited)\n}\n";

  test("bootstrap into the GUI domain when not loaded; bootout to stop; tail for logs", async () => {
    const { exec, calls } = scriptedExec([["launchctl print", { code: 113, stderr: "Could not find service" }]]);
    const m = launchdManager(exec, 501);
    await m.enable(job);
    await m.start(job);
    await m.stop(job);
    await m.logs(job, { follow: true, lines: 100 });
    expect(calls).toEqual([
      "launchctl enable gui/501/com.ra.agent",
      "launchctl print gui/501/com.ra.agent",
      `launchctl bootstrap gui/501 ${plist}`,
      "launchctl print gui/501/com.ra.agent",
      "attach: tail -n 100 -F /Users/ann/Library/Logs/ra/agent.log",
    ]);
  });

  test("a loaded job is kickstarted, restarted by bootout + bootstrap (re-reading the plist)", async () => {
    const { exec, calls } = scriptedExec([["launchctl print", { stdout: printed }]]);
    const m = launchdManager(exec, 501);
    await m.start(job);
    await m.restart(job);
    expect(calls).toEqual([
      "launchctl print gui/501/com.ra.agent",
      "launchctl kickstart gui/501/com.ra.agent",
      "launchctl print gui/501/com.ra.agent",
      "launchctl bootout gui/501/com.ra.agent",
      `launchctl bootstrap gui/501 ${plist}`,
    ]);
    expect(await m.state(job)).toEqual({ running: true, enabled: true, pid: 4711, lastExit: "never exited", detail: "running" });
  });

  test("launchctl print parsing", () => {
    expect(parseLaunchctlPrint("\tstate = not running\n\tlast exit code = 78: EX_CONFIG\n")).toEqual({ running: false, pid: undefined, lastExit: "exit code 78: EX_CONFIG", detail: "not running" });
    expect(parseLaunchctlPrint("").running).toBe(false);
  });
});
