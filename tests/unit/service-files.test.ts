import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderLaunchdPlist } from "../../src/service/launchd-plist";
import type { ServiceSpec } from "../../src/service/spec";
import { quoteArg, renderEnvFile, renderSystemdUnit } from "../../src/service/systemd-unit";
import { expectVerifies, parsePlist, parseUnit, unitWords } from "../helpers/service-files";
import { RA_BINARY } from "../helpers/ra-process";
import { CLAUDE_BIN } from "../helpers/claude-env";

const agent: ServiceSpec = {
  role: "agent",
  scope: "user",
  argv: [RA_BINARY, "agent", "--root", "/home/pi/My Projects", "--claude", CLAUDE_BIN, "--max-mode", "plan"],
  workingDir: "/home/pi/My Projects",
  env: { PATH: "/home/pi/.local/bin:/usr/bin:/bin", HOME: "/home/pi", LANG: "en_GB.UTF-8" },
  secrets: {},
  envFile: "/home/pi/.config/ra/agent.env",
};

const serve: ServiceSpec = {
  role: "serve",
  scope: "system",
  argv: [RA_BINARY, "serve", "--data-dir", "/home/ops/.local/share/ra", "--listen", "127.0.0.1:8080", "--public-url", "https://relay.example.com"],
  workingDir: "/home/ops/.local/share/ra",
  env: { PATH: "/usr/bin:/bin", HOME: "/home/ops" },
  secrets: { RA_BOT_TOKEN: "123456:AAsecret" },
  envFile: "/etc/ra/serve.env",
  user: "ops",
  writablePaths: ["/home/ops/.local/share/ra"],
  systemdVersion: 256,
};

describe("systemd unit", () => {
  test("agent user unit: command, environment, restart policy, hardening that leaves projects writable", async () => {
    const text = renderSystemdUnit({ ...agent, systemdVersion: 252 });
    const unit = parseUnit(text);
    expect(Object.keys(unit)).toEqual(["Unit", "Service", "Install"]);
    expect(unit.Unit).toEqual({ Description: ["ra agent: runs Claude Code prompts sent from Telegram"], StartLimitIntervalSec: ["0"] });
    const s = unit.Service!;
    expect(unitWords(s.ExecStart![0]!)).toEqual(agent.argv);
    expect(s.WorkingDirectory).toEqual(["/home/pi/My Projects"]);
    expect(s.Environment!.map((v) => unitWords(v)[0])).toEqual(["PATH=/home/pi/.local/bin:/usr/bin:/bin", "HOME=/home/pi", "LANG=en_GB.UTF-8"]);
    expect(s.EnvironmentFile).toBeUndefined();
    expect(s.Restart).toEqual(["on-failure"]);
    expect(s.RestartSec).toEqual(["5s"]);
    expect(s.RestartSteps).toBeUndefined(); // systemd 252 does not know it
    expect(s.RestartPreventExitStatus).toEqual(["2 77 78"]);
    expect(s.KillMode).toEqual(["control-group"]);
    expect(s.NoNewPrivileges).toEqual(["yes"]);
    expect(s.PrivateTmp).toEqual(["yes"]);
    for (const key of ["ProtectHome", "ProtectSystem", "UMask", "User", "MemoryDenyWriteExecute"]) expect(s[key]).toBeUndefined();
    expect(unit.Install).toEqual({ WantedBy: ["default.target"] });
    await expectVerifies("user", renderSystemdUnit({ ...agent, systemdVersion: 252, workingDir: tmpdir() }));
  });

  test("newer systemd gets a growing restart delay", () => {
    const s = parseUnit(renderSystemdUnit({ ...agent, systemdVersion: 254 })).Service!;
    expect(s.RestartSteps).toEqual(["10"]);
    expect(s.RestartMaxDelaySec).toEqual(["5min"]);
  });

  test("serve system unit: network-online, User=, token only in the EnvironmentFile, strict hardening with the data dir writable", async () => {
    const text = renderSystemdUnit(serve);
    expect(text).not.toContain("AAsecret");
    const unit = parseUnit(text);
    expect(unit.Unit!.Wants).toEqual(["network-online.target"]);
    expect(unit.Unit!.After).toEqual(["network-online.target"]);
    const s = unit.Service!;
    expect(s.User).toEqual(["ops"]);
    expect(unitWords(s.ExecStart![0]!)).toEqual(serve.argv);
    expect(s.EnvironmentFile).toEqual(["/etc/ra/serve.env"]);
    expect(s.ProtectSystem).toEqual(["strict"]);
    expect(s.ProtectHome).toEqual(["read-only"]);
    expect(s.ReadWritePaths).toEqual(["/home/ops/.local/share/ra"]);
    expect(s.UMask).toEqual(["0077"]);
    expect(s.CapabilityBoundingSet).toEqual([""]);
    expect(s.RestrictAddressFamilies).toEqual(["AF_UNIX AF_INET AF_INET6"]);
    expect(s.MemoryDenyWriteExecute).toBeUndefined();
    expect(unit.Install).toEqual({ WantedBy: ["multi-user.target"] });
    const here = await systemdVersion();
    await expectVerifies("system", renderSystemdUnit({ ...serve, systemdVersion: here, workingDir: tmpdir(), writablePaths: [tmpdir()], user: "root" }));
  });

  test("arguments with spaces, quotes, % and $ survive systemd's parsing", () => {
    for (const word of ["plain", "/a b/c", 'say "hi"', "100%", "$HOME", "back\\slash"]) expect(unitWords(quoteArg(word))).toEqual([word]);
    expect(quoteArg("100%")).toBe("100%%");
    expect(quoteArg("$HOME")).toBe('"$$HOME"');
  });

  test("env file holds the secrets quoted", () => {
    expect(renderEnvFile({ RA_BOT_TOKEN: "123:abc", X: 'a"b' })).toEndWith('RA_BOT_TOKEN="123:abc"\nX="a\\"b"\n');
  });
});

async function systemdVersion(): Promise<number | undefined> {
  const systemctl = Bun.which("systemctl");
  if (!systemctl) return undefined;
  const out = await new Response(Bun.spawn([systemctl, "--version"], { stdout: "pipe" }).stdout).text();
  return Number(out.match(/^systemd (\d+)/)?.[1]) || undefined;
}

describe("launchd plist", () => {
  const mac: ServiceSpec = {
    ...agent,
    scope: "user",
    argv: ["/Users/ann/bin/ra", "agent", "--root", "/Users/ann/R&D <x>", "--claude", "/opt/homebrew/bin/claude"],
    workingDir: "/Users/ann/R&D <x>",
    env: { PATH: "/opt/homebrew/bin:/usr/bin:/bin", HOME: "/Users/ann" },
    secrets: { CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-secret" },
    logFile: "/Users/ann/Library/Logs/ra/agent.log",
  };

  test("well-formed, every field launchd needs, escaped paths, the token and RA_SUPERVISOR in its environment", async () => {
    const xml = renderLaunchdPlist(mac);
    const plist = parsePlist(xml);
    expect(plist).toEqual({
      Label: "com.ra.agent",
      ProgramArguments: mac.argv,
      WorkingDirectory: "/Users/ann/R&D <x>",
      EnvironmentVariables: { PATH: "/opt/homebrew/bin:/usr/bin:/bin", HOME: "/Users/ann", RA_SUPERVISOR: "launchd", CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-secret" },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 15,
      ExitTimeOut: 20,
      StandardOutPath: "/Users/ann/Library/Logs/ra/agent.log",
      StandardErrorPath: "/Users/ann/Library/Logs/ra/agent.log",
    });
    const plutil = Bun.which("plutil");
    if (plutil) {
      const dir = mkdtempSync(join(tmpdir(), "ra-plist-"));
      writeFileSync(join(dir, "a.plist"), xml);
      expect(await Bun.spawn([plutil, "-lint", join(dir, "a.plist")]).exited).toBe(0);
    }
  });

  test("the serve job is labelled com.ra.serve", () => {
    expect((parsePlist(renderLaunchdPlist({ ...serve, scope: "user" })) as Record<string, unknown>).Label).toBe("com.ra.serve");
  });
});
