/**
 * `ra doctor` through the compiled binary: against a healthy setup (the real `ra serve` on
 * loopback with the fake Bot API, a paired agent, the real claude CLI against the fake model, the
 * service installed through the recording manager) and broken ones, each failure naming its fix.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeTelegram } from "../fakes/telegram-api";
import { CLAUDE_BIN } from "../helpers/claude-env";
import { RaProcess } from "../helpers/ra-process";
import { type Stack, startStack, TOKEN } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

let stack: Stack;
let scratch: Awaited<ReturnType<typeof tmpDir>>;
beforeAll(async () => {
  stack = await startStack();
  scratch = tmpDir("ra-doctor-");
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await scratch?.[Symbol.asyncDispose]();
});

async function doctor(args: string[], env: Record<string, string> = {}) {
  const proc = new RaProcess(["doctor", ...args], { cwd: stack.workdir, env: { ...stack.claude.env, RA_TEST_SERVICE_MANAGER: `systemd:${join(scratch.path, "calls.log")}`, USER: "pi", ...env } });
  const code = await proc.exitCode();
  return { code, out: proc.stdout, all: proc.output };
}

/** The line of one check ("✔ relay  …"), with its fix line if it has one. */
const line = (out: string, check: string) => out.match(new RegExp(`^([✔⚠✖]) ${check} +(.*)(?:\\n +→ (.*))?`, "m"));

/** A copy of the paired config, changed. */
function configWith(change: Record<string, string>, mode = 0o600): string {
  const path = join(scratch.path, `config-${Object.values(change).join("-").replace(/\W/g, "")}-${mode.toString(8)}.json`);
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(stack.config, "utf8")), ...change }), { mode });
  chmodSync(path, mode);
  return path;
}

async function closedPort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  await server.stop(true);
  return port;
}

describe("ra doctor (agent)", () => {
  test("healthy: claude, stream-json start and login, config 0600, relay and token, clock, service: all ok, exit 0", async () => {
    const install = new RaProcess(["service", "install", "--config", stack.config, "--root", stack.workdir, "--linger"], {
      cwd: stack.workdir,
      env: { ...stack.claude.env, RA_TEST_SERVICE_MANAGER: `systemd:${join(scratch.path, "calls.log")}`, USER: "pi" },
    });
    expect(await install.exitCode()).toBe(0);

    // No flags: doctor checks what the installed service uses (its --config and --claude).
    const { code, out } = await doctor([], { PATH: "/usr/bin:/bin" });
    expect(line(out, "claude")?.[2]).toBe(`2.1.197 (Claude Code) at ${CLAUDE_BIN}`);
    expect(line(out, "claude start")?.[2]).toMatch(/^starts in stream-json mode in \d+\.\d s, logged in via ANTHROPIC_API_KEY$/);
    expect(line(out, "config")?.[2]).toBe(`${stack.config} (mode 0600), paired as "laptop"`);
    expect(line(out, "relay")?.[2]).toBe(`${stack.relayUrl} reachable, token accepted, this machine's agent is connected`);
    expect(line(out, "clock")?.[2]).toMatch(/^in step with the relay \(\d+\.\d s apart\)$/);
    expect(line(out, "service")?.[2]).toBe("ra-agent.service installed and running (pid 4242)");
    expect(out).toContain("6 ok, 0 warning(s), 0 failed");
    expect(code).toBe(0);

    const removed = new RaProcess(["service", "uninstall"], { env: { HOME: stack.claude.home, RA_TEST_SERVICE_MANAGER: `systemd:${join(scratch.path, "calls.log")}`, USER: "pi" } });
    expect(await removed.exitCode()).toBe(0);
  });

  test("claude missing: fails with how to install it, exit 1", async () => {
    const { code, out } = await doctor(["--config", stack.config], { PATH: "/usr/bin:/bin" });
    expect(line(out, "claude")?.slice(1)).toEqual(["✖", "cannot find `claude` on PATH", "install Claude Code (npm install -g @anthropic-ai/claude-code) or pass --claude /path/to/claude"]);
    expect(line(out, "claude start")).toBeNull();
    expect(line(out, "service")?.slice(1)).toEqual(["⚠", "ra agent is not installed as a service, so it will not start at boot", "ra service install"]);
    expect(code).toBe(1);
  });

  test("claude not logged in: a warning with the login steps, not a failure", async () => {
    const { code, out } = await doctor(["--config", stack.config, "--claude", CLAUDE_BIN], { ANTHROPIC_API_KEY: "" });
    expect(line(out, "claude start")?.[1]).toBe("⚠");
    expect(line(out, "claude start")?.[3]).toContain("claude setup-token");
    expect(code).toBe(0);
  });

  test("wrong token: the relay does not know this machine; pair again", async () => {
    const { code, out } = await doctor(["--config", configWith({ token: "ra_dev_not-the-token" }), "--claude", CLAUDE_BIN]);
    expect(line(out, "relay")?.slice(1)).toEqual(["✖", "the relay does not know this machine any more (unpaired or revoked)", "pair again with `ra pair`"]);
    expect(code).toBe(1);
  });

  test("config readable by others: fails with the chmod to run", async () => {
    const path = configWith({ name: "laptop" }, 0o644);
    const { code, out } = await doctor(["--config", path, "--claude", CLAUDE_BIN]);
    expect(line(out, "config")?.slice(1)).toEqual(["✖", `${path} is readable by other users (mode 0644) and holds this machine's token`, `run: chmod 600 ${path}`]);
    expect(line(out, "relay")).toBeNull();
    expect(code).toBe(1);
  });

  test("relay down: unreachable, no clock check, exit 1", async () => {
    const port = await closedPort();
    const { code, out } = await doctor(["--config", configWith({ relay: `http://127.0.0.1:${port}` }), "--claude", CLAUDE_BIN]);
    expect(line(out, "relay")?.[1]).toBe("✖");
    expect(line(out, "relay")?.[2]).toStartWith("relay unreachable:");
    expect(line(out, "relay")?.[3]).toBe("check the network and that `ra serve` runs there");
    expect(line(out, "clock")).toBeNull();
    expect(code).toBe(1);
  });
});

describe("ra doctor --serve", () => {
  const serveArgs = (extra: string[] = []) => ["--serve", "--telegram-api-root", stack.telegram.url, ...extra];

  test("healthy: token valid (getMe), no webhook, the relay on this machine is the poller", async () => {
    const listen = stack.relayUrl.replace("http://", "");
    const { code, out } = await doctor(serveArgs(["--bot-token", TOKEN, "--listen", listen]));
    expect(line(out, "bot token")?.[2]).toMatch(/^valid: @ra_test_bot \(id 123456\)$/);
    expect(line(out, "webhook")?.[2]).toMatch(/^none set, as long polling needs/);
    expect(line(out, "poller")?.[2]).toBe(`ra serve on this machine (${stack.relayUrl}) is polling; it stops with a clear error if anything else polls this token`);
    expect(line(out, "service")?.[1]).toBe("⚠");
    expect(code).toBe(0);
  });

  test("without flags it uses the installed relay service's token and --listen, and leaves its poll alone", async () => {
    const env = { ...stack.claude.env, RA_TEST_SERVICE_MANAGER: `systemd:${join(scratch.path, "serve-calls.log")}`, USER: "pi" };
    const listen = stack.relayUrl.replace("http://", "");
    const install = new RaProcess(["service", "install", "--serve", "--linger", "--listen", listen, "--data-dir", join(scratch.path, "relay-data")], { env: { ...env, RA_BOT_TOKEN: TOKEN } });
    expect(await install.exitCode()).toBe(0);
    try {
      const proc = new RaProcess(["doctor", "--serve", "--telegram-api-root", stack.telegram.url, "--data-dir", join(scratch.path, "relay-data")], { env });
      const code = await proc.exitCode();
      expect(line(proc.stdout, "bot token")?.[2]).toBe("valid: @ra_test_bot (id 123456)");
      expect(line(proc.stdout, "poller")?.[2]).toStartWith(`ra serve on this machine (${stack.relayUrl}) is polling`);
      expect(line(proc.stdout, "service")?.[2]).toBe("ra-serve.service installed and running (pid 4242)");
      expect(code).toBe(0);
    } finally {
      expect(await new RaProcess(["service", "uninstall", "--serve"], { env }).exitCode()).toBe(0);
    }
  });

  test("a running relay service that does not answer /healthz is not probed either", async () => {
    const token = "778:service-bot-token";
    const other = new FakeTelegram({ token, username: "service_bot" });
    const env = { ...stack.claude.env, RA_TEST_SERVICE_MANAGER: `systemd:${join(scratch.path, "serve2-calls.log")}`, USER: "pi" };
    const port = await closedPort();
    try {
      const install = new RaProcess(["service", "install", "--serve", "--linger", "--listen", `127.0.0.1:${port}`, "--data-dir", join(scratch.path, "relay-data2")], { env: { ...env, RA_BOT_TOKEN: token } });
      expect(await install.exitCode()).toBe(0);
      const proc = new RaProcess(["doctor", "--serve", "--telegram-api-root", other.url, "--data-dir", join(scratch.path, "relay-data2")], { env });
      expect(await proc.exitCode()).toBe(0);
      expect(line(proc.stdout, "poller")?.[2]).toStartWith("ra serve on this machine (the ra-serve.service service) is polling");
      expect(other.calls.map((c) => c.method)).toEqual(["getMe", "getWebhookInfo"]);
      expect(await new RaProcess(["service", "uninstall", "--serve"], { env }).exitCode()).toBe(0);
    } finally {
      await other.stop();
    }
  });

  test("wrong bot token: Telegram's 401 and where to get the right one", async () => {
    const { code, out } = await doctor(serveArgs(["--bot-token", "999:wrong-token"]));
    expect(line(out, "bot token")?.slice(1)).toEqual(["✖", "Telegram rejected the bot token (401 Unauthorized)", "copy the token again from @BotFather (/mybots → API Token) and pass it with --bot-token or RA_BOT_TOKEN"]);
    expect(line(out, "webhook")).toBeNull();
    expect(code).toBe(1);
  });

  test("no token anywhere: says what to pass", async () => {
    const { code, out } = await doctor(["--serve", "--data-dir", scratch.path]);
    expect(line(out, "bot token")?.[3]).toBe("pass --bot-token or set RA_BOT_TOKEN (the token from @BotFather)");
    expect(code).toBe(1);
  });

  test("another program polling the token: 409; nobody polling: ok; a webhook set: warned", async () => {
    const token = "777:other-bot-token";
    const other = new FakeTelegram({ token, username: "other_bot" });
    const args = (seconds: string) => ["--serve", "--telegram-api-root", other.url, "--bot-token", token, "--listen", `127.0.0.1:${port}`, "--poll-timeout", seconds];
    const port = await closedPort();
    try {
      // Another bot instance: polls again as soon as a poll ends, as every bot library does.
      let polling = true;
      const loop = (async () => {
        while (polling) await fetch(`${other.url}/bot${token}/getUpdates?timeout=1`).then((r) => r.text());
      })();
      const busy = await doctor(args("10"));
      polling = false;
      await loop;
      expect(line(busy.out, "poller")?.[1]).toBe("✖");
      expect(line(busy.out, "poller")?.[2]).toStartWith("another program is polling this bot token (409 Conflict: terminated by other getUpdates request");
      expect(line(busy.out, "poller")?.[3]).toStartWith("stop the other ra serve (or bot) that uses this token");
      expect(busy.code).toBe(1);

      const quiet = await doctor(args("1"));
      expect(line(quiet.out, "poller")?.slice(1, 3)).toEqual(["✔", "no other program polled this bot token during 1 s"]);
      expect(quiet.code).toBe(0);

      const set = (await (await fetch(`${other.url}/bot${token}/setWebhook?url=${encodeURIComponent("https://127.0.0.1:8443/hook")}`)).json()) as { ok: boolean };
      expect(set.ok).toBe(true);
      const hooked = await doctor(args("1"));
      expect(line(hooked.out, "webhook")?.[1]).toBe("⚠");
      expect(line(hooked.out, "webhook")?.[2]).toStartWith("a webhook is set to https://127.0.0.1:8443/hook");
      expect(line(hooked.out, "poller")?.slice(1, 3)).toEqual(["⚠", "cannot poll while the webhook is set (see above)"]);
      expect(hooked.code).toBe(0);
    } finally {
      await other.stop();
    }
  });
});
