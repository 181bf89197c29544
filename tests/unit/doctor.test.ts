import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "../../src/clock";
import { fail, formatReport, ok, warn } from "../../src/doctor/check";
import { checkClaudeStreamJson } from "../../src/doctor/claude";
import { checkClockSkew, skewResult } from "../../src/doctor/relay";
import { checkService } from "../../src/doctor/service";
import { installedSecret } from "../../src/service/installed-secret";
import { renderLaunchdPlist } from "../../src/service/launchd-plist";
import { serviceLayout } from "../../src/service/layout";
import { renderEnvFile } from "../../src/service/systemd-unit";
import { recordingManager } from "../../src/service/recording";
import { REPO_ROOT } from "../helpers/claude-env";
import { tmpDir } from "../helpers/tmp";

/** A clock that reads the given instants one after the other. */
const clockReading = (...instants: number[]): Pick<Clock, "now"> => ({ now: () => instants.shift() ?? Number.NaN });
const healthz = (body: unknown) => (async () => Response.json(body)) as unknown as typeof fetch;

describe("clock skew", () => {
  test("measured against the middle of the request, with thresholds 5 s (warn) and 120 s (fail)", async () => {
    expect(await checkClockSkew("https://relay.test", clockReading(1_000, 1_200), healthz({ ok: true, time: 1_100 + 30_000 }))).toEqual({
      check: "clock",
      status: "warn",
      message: "this clock is 30.0 s behind the relay (±0.1 s)",
      fix: "turn on time sync on both machines: sudo timedatectl set-ntp true (Linux); System Settings → General → Date & Time (macOS)",
    });
    expect((await checkClockSkew("https://relay.test", clockReading(5_000, 5_000), healthz({ ok: true, time: 5_300 }))).status).toBe("ok");
    expect(skewResult(-300_000, 10).status).toBe("fail");
    expect(skewResult(-300_000, 10).message).toBe("this clock is 300.0 s ahead of the relay (±0.0 s)");
    expect(skewResult(4_999, 10).status).toBe("ok");
    expect(skewResult(5_001, 10).status).toBe("warn");
  });

  test("a relay that does not report its time is a warning", async () => {
    expect((await checkClockSkew("https://relay.test", clockReading(1, 2), healthz({ ok: true }))).status).toBe("warn");
  });
});

test("report lines: mark, padded name, message, and the fix under it", () => {
  expect(formatReport([ok("claude", "2.1.197"), warn("service", "not installed", "ra service install"), fail("relay", "down")])).toBe(
    ["✔ claude        2.1.197", "⚠ service       not installed", "                → ra service install", "✖ relay         down"].join("\n"),
  );
});

test("a claude that crashes instead of answering initialize fails the start check with its stderr", async () => {
  await using dir = tmpDir();
  const fake = join(dir.path, "claude");
  writeFileSync(fake, `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, "tests", "fixtures", "fake-claude-garbage.ts")}" "$@"\n`, { mode: 0o755 });
  const result = await checkClaudeStreamJson({ given: fake, path: fake, env: { PATH: process.env.PATH ?? "" }, cwd: dir.path });
  expect(result.status).toBe("fail");
  expect(result.message).toStartWith("claude did not start in stream-json mode: ");
  expect(result.message).toContain("TypeError");
  expect(result.fix).toContain(`${fake} -p --output-format stream-json`);
});

describe("service check", () => {
  test("not installed → warn; stopped → fail with the logs to read; running without linger → warn; running → ok", async () => {
    await using dir = tmpDir();
    const manager = recordingManager("systemd", join(dir.path, "calls.log"));
    const layout = serviceLayout("systemd", "agent", "user", dir.path, {});
    expect(await checkService(manager, layout, "pi")).toEqual(warn("service", "ra agent is not installed as a service, so it will not start at boot", "ra service install"));
    mkdirSync(dirname(layout.target.file), { recursive: true });
    writeFileSync(layout.target.file, "[Service]\n");
    const stopped = await checkService(manager, layout, "pi");
    expect(stopped.status).toBe("fail");
    expect(stopped.message).toStartWith("ra-agent.service is installed but not running (recorded, last exit: never exited)");
    expect(stopped.fix).toBe("see why: ra service logs; then ra service start");
    await manager.start(layout.target);
    expect(await checkService(manager, layout, "pi")).toEqual(warn("service", "ra-agent.service runs, but starts only when pi logs in", "loginctl enable-linger pi"));
    await manager.setLinger("pi", true);
    expect(await checkService(manager, layout, "pi")).toEqual(ok("service", "ra-agent.service installed and running (pid 4242)"));
  });
});

test("the token an installed service holds is read back from its env file or its plist", async () => {
  await using dir = tmpDir();
  const systemd = serviceLayout("systemd", "serve", "user", dir.path, {});
  const launchd = serviceLayout("launchd", "serve", "user", dir.path, {});
  expect(installedSecret(systemd, "RA_BOT_TOKEN")).toBeUndefined();
  mkdirSync(dirname(systemd.envFile!), { recursive: true });
  writeFileSync(systemd.envFile!, renderEnvFile({ RA_BOT_TOKEN: "123:env-file" }));
  mkdirSync(dirname(launchd.target.file), { recursive: true });
  writeFileSync(launchd.target.file, renderLaunchdPlist({ role: "serve", scope: "user", argv: ["/ra", "serve"], workingDir: "/", env: {}, secrets: { RA_BOT_TOKEN: "123:plist" } }));
  expect(installedSecret(systemd, "RA_BOT_TOKEN")).toBe("123:env-file");
  expect(installedSecret(launchd, "RA_BOT_TOKEN")).toBe("123:plist");
});
