/**
 * `ra service` through the compiled binary in a temporary HOME, with the service manager replaced
 * by the recording fake (RA_TEST_SERVICE_MANAGER): the files written, their modes and fields, the
 * manager calls in order, what is said, and that uninstall leaves the home as it found it.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { agentOptions } from "../../src/options/agent";
import type { Raw, ServiceOptions } from "../../src/options/define";
import { serveOptions } from "../../src/options/serve";
import { CLAUDE_BIN } from "../helpers/claude-env";
import { everyOption, flagWords } from "../helpers/every-option";
import { RA_BINARY, RaProcess } from "../helpers/ra-process";
import { expectVerifies, parsePlist, parseUnit, unitWords } from "../helpers/service-files";
import { tmpDir } from "../helpers/tmp";

type Home = { path: string; code: string; calls: () => { op: string; name: string }[]; ra: (args: string[], env?: Record<string, string>) => Promise<{ code: number; out: string }> };

async function withHome(kind: "systemd" | "launchd", fn: (home: Home) => Promise<void>) {
  await using dir = tmpDir("ra-service-home-");
  const code = join(dir.path, "code");
  mkdirSync(code);
  const log = join(dir.path, "..", `${relative(dirname(dir.path), dir.path)}-calls.log`);
  const home: Home = {
    path: dir.path,
    code: realpathSync(code),
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : []),
    async ra(args, env = {}) {
      // claude is found on PATH, the way a user has it.
      const proc = new RaProcess(args, { cwd: code, env: { HOME: dir.path, USER: "pi", PATH: `${dirname(CLAUDE_BIN)}:/usr/bin:/bin`, RA_TEST_SERVICE_MANAGER: `${kind}:${log}`, ...env } });
      const exit = await proc.exitCode();
      return { code: exit, out: proc.output };
    },
  };
  await fn(home);
}

function pair(home: string) {
  mkdirSync(join(home, ".config", "ra"), { recursive: true });
  writeFileSync(join(home, ".config", "ra", "config.json"), JSON.stringify({ relay: "https://relay.example.com", deviceId: "dev1", name: "pi", token: "ra_dev_secret" }), { mode: 0o600 });
}

/** Every file below `dir`, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("ra service with systemd (user unit)", () => {
  test("refuses to install an unpaired agent and writes nothing", async () => {
    await withHome("systemd", async (home) => {
      const { code, out } = await home.ra(["service", "install"]);
      expect(code).toBe(78);
      expect(out).toContain("this machine is not paired");
      expect(out).toContain("ra pair --relay");
      expect(files(home.path)).toEqual([]);
      expect(home.calls()).toEqual([]);
    });
  });

  test("install, install again, change, control, uninstall", async () => {
    await withHome("systemd", async (home) => {
      pair(home.path);
      const before = files(home.path);
      const unitPath = join(home.path, ".config", "systemd", "user", "ra-agent.service");
      const envFile = join(home.path, ".config", "ra", "agent.env");

      const first = await home.ra(["service", "install", "--linger"], { CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-secret" });
      expect(first.code).toBe(0);
      expect(first.out).toContain(`wrote ${unitPath}`);
      expect(first.out).toContain(`in ${envFile} (mode 0600)`);
      expect(first.out).toContain("started ra-agent.service");
      expect(first.out).toContain("turned linger on for pi");
      expect(first.out).toContain("Next: ra service status");
      const text = readFileSync(unitPath, "utf8");
      expect(text).not.toContain("sk-ant-oat01-secret");
      expect(mode(unitPath)).toBe("644");
      expect(mode(envFile)).toBe("600");
      expect(readFileSync(envFile, "utf8")).toContain('CLAUDE_CODE_OAUTH_TOKEN="sk-ant-oat01-secret"');
      const s = parseUnit(text).Service!;
      expect(unitWords(s.ExecStart![0]!)).toEqual([RA_BINARY, "agent", "--root", home.code, "--claude", CLAUDE_BIN]);
      expect(s.WorkingDirectory).toEqual([home.code]);
      expect(s.Environment!.map((e) => unitWords(e)[0])).toEqual([`PATH=${dirname(CLAUDE_BIN)}:/usr/bin:/bin`, `HOME=${home.path}`]);
      expect(s.EnvironmentFile).toEqual([envFile]);
      await expectVerifies("user", text);
      expect(home.calls().map((c) => c.op)).toEqual(["reload", "enable", "start", "enable-linger"]);

      const again = await home.ra(["service", "install", "--linger"], { CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-secret" });
      expect(again.code).toBe(0);
      expect(again.out).toContain("is already up to date");
      expect(again.out).toContain("already running; nothing changed");
      expect(again.out).toContain("linger is on for pi");
      expect(readFileSync(unitPath, "utf8")).toBe(text);
      expect(home.calls().map((c) => c.op).slice(4)).toEqual(["enable"]);

      const changed = await home.ra(["service", "install", "--max-mode", "plan"]);
      expect(changed.code).toBe(0);
      expect(changed.out).toContain(`removed ${envFile} (no secrets to keep)`);
      expect(changed.out).toContain("restarted ra-agent.service with the new settings");
      expect(unitWords(parseUnit(readFileSync(unitPath, "utf8")).Service!.ExecStart![0]!).slice(-2)).toEqual(["--max-mode", "plan"]);
      expect(home.calls().map((c) => c.op).slice(5)).toEqual(["reload", "enable", "restart"]);

      const status = await home.ra(["service", "status"]);
      expect(status.code).toBe(0);
      expect(status.out).toMatch(/installed: +yes, .*ra-agent\.service \(by ra \d+\.\d+\.\d+, 20\d\d-/);
      expect(status.out).toMatch(/running: +yes \(pid 4242\)/);
      expect(status.out).toMatch(/at boot: +yes\n/);

      expect((await home.ra(["service", "stop"])).out).toContain("Stopped ra agent");
      const stopped = await home.ra(["service", "status"]);
      expect(stopped.code).toBe(1);
      expect(stopped.out).toMatch(/running: +no/);
      expect((await home.ra(["service", "start"])).out).toMatch(/Started ra agent .*: running \(pid 4242\)/);
      expect((await home.ra(["service", "restart"])).code).toBe(0);
      expect((await home.ra(["service", "logs", "--no-follow"])).out).toContain("the systemd log of ra-agent.service");
      expect((await home.ra(["service", "logs"])).code).toBe(0);
      expect(home.calls().map((c) => c.op).slice(8)).toEqual(["stop", "start", "restart", "logs", "logs -f"]);

      const removed = await home.ra(["service", "uninstall"]);
      expect(removed.code).toBe(0);
      expect(removed.out).toContain("stopped ra-agent.service");
      expect(removed.out).toContain(`removed ${unitPath}`);
      expect(removed.out).toContain("turned linger off for pi again");
      expect(home.calls().map((c) => c.op).slice(13)).toEqual(["stop", "disable", "reload", "disable-linger"]);
      expect(files(home.path)).toEqual(before);

      const twice = await home.ra(["service", "uninstall"]);
      expect(twice.code).toBe(0);
      expect(twice.out).toContain("ra-agent.service is not installed; nothing to remove");
      expect((await home.ra(["service", "status"])).code).toBe(78);
      const start = await home.ra(["service", "start"]);
      expect(start.code).toBe(78);
      expect(start.out).toContain("→ install it first: ra service install");
    });
  });

  test("the agent's policy, sandbox and http flags are passed on (the policy file made absolute)", async () => {
    await withHome("systemd", async (home) => {
      pair(home.path);
      writeFileSync(join(home.code, "policy.json"), JSON.stringify({ deny: ["WebFetch"] }));
      const { code, out } = await home.ra(["service", "install", "--deny-tool", "Bash(rm:*)", "--policy", "policy.json", "--sandbox"], { RA_ALLOW_TOOLS: "Read,Edit", RA_INSECURE_HTTP: "1" });
      expect(code, out).toBe(0);
      const unit = parseUnit(readFileSync(join(home.path, ".config", "systemd", "user", "ra-agent.service"), "utf8"));
      expect(unitWords(unit.Service!.ExecStart![0]!).slice(6)).toEqual([
        "--deny-tool", "Bash(rm:*)", "--allow-tool", "Read", "--allow-tool", "Edit", "--policy", join(home.code, "policy.json"), "--sandbox", "--insecure-http",
      ]);
    });
  });

  test("without --linger and without a terminal it says how to start at boot", async () => {
    await withHome("systemd", async (home) => {
      pair(home.path);
      const { code, out } = await home.ra(["service", "install"]);
      expect(code).toBe(0);
      expect(out).toContain("it starts when pi logs in. To start at boot without a login (a headless Pi): ra service install --linger, or loginctl enable-linger pi");
      expect(home.calls().map((c) => c.op)).toEqual(["reload", "enable", "start"]);
      expect((await home.ra(["service", "status"])).out).toMatch(/at boot: +at login only/);
    });
  });

  test("ra serve as a service: token in a 0600 env file (never on the command line), flags passed on, data dir writable", async () => {
    await withHome("systemd", async (home) => {
      const missing = await home.ra(["service", "install", "--serve"]);
      expect(missing.code).toBe(78);
      expect(missing.out).toContain("RA_BOT_TOKEN=123456:ABC… ra service install --serve");
      const bad = await home.ra(["service", "install", "--serve"], { RA_BOT_TOKEN: "not a token" });
      expect(bad.code).toBe(2);

      const { code, out } = await home.ra(["service", "install", "--serve", "--listen", "127.0.0.1:8099", "--owner", "5,6", "--public-url", "https://relay.example.com"], { RA_BOT_TOKEN: "123456:AA-secret" });
      expect(code).toBe(0);
      const unitPath = join(home.path, ".config", "systemd", "user", "ra-serve.service");
      const envFile = join(home.path, ".config", "ra", "serve.env");
      const dataDir = join(home.path, ".local", "share", "ra");
      expect(out).toContain(`the secrets (RA_BOT_TOKEN) in ${envFile} (mode 0600)`);
      const text = readFileSync(unitPath, "utf8");
      expect(text).not.toContain("AA-secret");
      expect(readFileSync(envFile, "utf8")).toContain('RA_BOT_TOKEN="123456:AA-secret"');
      expect(mode(envFile)).toBe("600");
      expect(mode(dataDir)).toBe("700");
      const s = parseUnit(text).Service!;
      expect(unitWords(s.ExecStart![0]!)).toEqual([RA_BINARY, "serve", "--data-dir", dataDir, "--listen", "127.0.0.1:8099", "--public-url", "https://relay.example.com", "--owner", "5", "--owner", "6"]);
      expect(s.ReadWritePaths).toEqual([dataDir]);
      expect(s.ProtectSystem).toEqual(["strict"]);
      expect(s.EnvironmentFile).toEqual([envFile]);
      await expectVerifies("user", text, "ra-serve.service");
      expect(home.calls().every((c) => !JSON.stringify(c).includes("AA-secret"))).toBe(true);

      const removed = await home.ra(["service", "uninstall", "--serve"]);
      expect(removed.out).toContain(`removed ${envFile}`);
      expect(existsSync(unitPath) || existsSync(envFile)).toBe(false);
    });
  });

  test("a token saved by an interactive ra serve is used as it is", async () => {
    await withHome("systemd", async (home) => {
      const dataDir = join(home.path, ".local", "share", "ra");
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, "bot-token"), "123456:AA-saved\n", { mode: 0o600 });
      const { code, out } = await home.ra(["service", "install", "--serve"]);
      expect(code).toBe(0);
      expect(out).toContain(`ra serve will read the bot token saved in ${join(dataDir, "bot-token")}`);
      expect(existsSync(join(home.path, ".config", "ra", "serve.env"))).toBe(false);
      expect(parseUnit(readFileSync(join(home.path, ".config", "systemd", "user", "ra-serve.service"), "utf8")).Service!.EnvironmentFile).toBeUndefined();
    });
  });

  test("--system needs root through sudo, and says so", async () => {
    await withHome("systemd", async (home) => {
      pair(home.path);
      const { code, out } = await home.ra(["service", "install", "--system"]);
      expect(code).toBe(2);
      expect(out).toMatch(/sudo/);
      expect(home.calls()).toEqual([]);
    });
  });
});

describe("ra service with launchd (LaunchAgent)", () => {
  test("plist in ~/Library/LaunchAgents, 0600 with the OAuth token, logs under ~/Library/Logs/ra; uninstall removes it", async () => {
    await withHome("launchd", async (home) => {
      pair(home.path);
      const plistPath = join(home.path, "Library", "LaunchAgents", "com.ra.agent.plist");
      const logFile = join(home.path, "Library", "Logs", "ra", "agent.log");
      const { code, out } = await home.ra(["service", "install", "--root", home.path], { CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-secret" });
      expect(code).toBe(0);
      expect(out).toContain("it starts when you log in");
      expect(mode(plistPath)).toBe("600");
      expect(statSync(dirname(logFile)).isDirectory()).toBe(true);
      const plist = parsePlist(readFileSync(plistPath, "utf8")) as Record<string, unknown>;
      expect(plist.Label).toBe("com.ra.agent");
      expect(plist.ProgramArguments).toEqual([RA_BINARY, "agent", "--root", realpathSync(home.path), "--claude", CLAUDE_BIN]);
      expect(plist.KeepAlive).toEqual({ SuccessfulExit: false });
      expect(plist.RunAtLoad).toBe(true);
      expect(plist.ThrottleInterval).toBe(15);
      expect(plist.StandardOutPath).toBe(logFile);
      expect(plist.EnvironmentVariables).toEqual({ PATH: `${dirname(CLAUDE_BIN)}:/usr/bin:/bin`, HOME: home.path, RA_SUPERVISOR: "launchd", CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-secret" });
      expect(home.calls().map((c) => c.op)).toEqual(["reload", "enable", "start"]);

      const removed = await home.ra(["service", "uninstall"]);
      expect(removed.code).toBe(0);
      expect(existsSync(plistPath)).toBe(false);
      expect(files(home.path)).toEqual([join(".config", "ra", "config.json")]);
    });
  });

  test("without CLAUDE_CODE_OAUTH_TOKEN it warns that launchd cannot read the keychain", async () => {
    await withHome("launchd", async (home) => {
      pair(home.path);
      const { code, out } = await home.ra(["service", "install"]);
      expect(code).toBe(0);
      expect(out).toContain("launchd jobs cannot read the login keychain");
      expect(mode(join(home.path, "Library", "LaunchAgents", "com.ra.agent.plist"))).toBe("644");
    });
  });

  test("under launchd a final error exits 0, so KeepAlive{SuccessfulExit=false} does not respawn it", async () => {
    await using dir = tmpDir();
    const missing = join(dir.path, "none.json");
    const plain = new RaProcess(["agent", "--config", missing]);
    expect(await plain.exitCode()).toBe(78);
    const launchd = new RaProcess(["agent", "--config", missing], { env: { RA_SUPERVISOR: "launchd" } });
    expect(await launchd.exitCode()).toBe(0);
    expect(launchd.output).toContain("this machine is not paired");
  });
});

/** The words `ra service install` must put on the command line for these values: every option in table order, secrets left out. */
function expectedWords(table: ServiceOptions, values: Record<string, Raw>): string[] {
  return Object.entries(table).flatMap(([flag, o]) => (o.secret || (typeof o.service === "object" && "excluded" in o.service) ? [] : flagWords(flag, values[flag] ?? o.example)));
}

describe("ra service install passes every option on", () => {
  test("--serve with every serve option: each on the unit's command line, the token only in the env file", async () => {
    await withHome("systemd", async (home) => {
      const pem = (name: string) => (writeFileSync(join(home.path, name), "-----BEGIN X-----\n"), join(home.path, name));
      const values = { "bot-token": "123456:AA-every-secret", "data-dir": join(home.path, "relay-data"), "tls-cert": pem("cert.pem"), "tls-key": pem("key.pem") };
      const args = everyOption(serveOptions, values);
      for (const flag of ["webhook", "tls-cert", "tls-key", "drafts", "max-messages", "silence-notice", "approval-timeout", "edit-interval-ms", "poll-timeout"]) expect(args).toContain(`--${flag}`);
      expect(args.filter((a) => a === "--owner")).toHaveLength(2);

      const { code, out } = await home.ra(["service", "install", "--serve", ...args]);
      expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining("started ra-serve.service") });
      const text = readFileSync(join(home.path, ".config", "systemd", "user", "ra-serve.service"), "utf8");
      expect(unitWords(parseUnit(text).Service!.ExecStart![0]!)).toEqual([RA_BINARY, "serve", ...expectedWords(serveOptions, values)]);
      expect(text).not.toContain("AA-every-secret");
      expect(readFileSync(join(home.path, ".config", "ra", "serve.env"), "utf8")).toContain('RA_BOT_TOKEN="123456:AA-every-secret"');
      expect(parseUnit(text).Service!.ReadWritePaths).toEqual([values["data-dir"]]);
      await expectVerifies("user", text, "ra-serve.service");
    });
  });

  test("the agent with every agent option, --root twice", async () => {
    await withHome("systemd", async (home) => {
      pair(home.path);
      const dir = (name: string) => (mkdirSync(join(home.path, name)), realpathSync(join(home.path, name)));
      const policy = join(home.path, "policy.json");
      writeFileSync(policy, JSON.stringify({ deny: ["WebFetch"] }));
      const values = { config: join(home.path, ".config", "ra", "config.json"), root: [dir("a"), dir("b")], claude: CLAUDE_BIN, "data-dir": join(home.path, "agent-data"), policy };
      const { code, out } = await home.ra(["service", "install", ...everyOption(agentOptions, values)]);
      expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining("started ra-agent.service") });
      const s = parseUnit(readFileSync(join(home.path, ".config", "systemd", "user", "ra-agent.service"), "utf8")).Service!;
      expect(unitWords(s.ExecStart![0]!)).toEqual([RA_BINARY, "agent", ...expectedWords(agentOptions, values)]);
      expect(s.WorkingDirectory).toEqual([values.root[0]!]);
    });
  });

  test("a bad value, or an option of the other command, is refused before anything is written", async () => {
    await withHome("systemd", async (home) => {
      pair(home.path);
      const before = files(home.path);
      const serveOnly = await home.ra(["service", "install", "--webhook"]);
      expect(serveOnly.code).toBe(2);
      expect(serveOnly.out).toContain("--webhook is an option of ra serve");
      expect(serveOnly.out).toContain("add --serve");
      const agentOnly = await home.ra(["service", "install", "--serve", "--root", home.code], { RA_BOT_TOKEN: "123456:AA-secret" });
      expect(agentOnly.code).toBe(2);
      expect(agentOnly.out).toContain("--root is an option of ra agent");
      const bad = await home.ra(["service", "install", "--serve", "--max-messages", "99"], { RA_BOT_TOKEN: "123456:AA-secret" });
      expect(bad.code).toBe(2);
      expect(bad.out).toContain('--max-messages takes a whole number from 1 to 50, not "99"');
      const halfTls = await home.ra(["service", "install", "--serve", "--tls-cert", join(home.path, "cert.pem")], { RA_BOT_TOKEN: "123456:AA-secret" });
      expect(halfTls.code).toBe(2);
      expect(halfTls.out).toContain("--tls-cert and --tls-key go together");
      const fromEnv = await home.ra(["service", "install"], { RA_MAX_MODE: "everything" });
      expect(fromEnv.code).toBe(2);
      expect(fromEnv.out).toContain('--max-mode (from RA_MAX_MODE) takes plan, default or acceptEdits, not "everything"');
      expect(files(home.path)).toEqual(before);
      expect(home.calls()).toEqual([]);
    });
  });
});
