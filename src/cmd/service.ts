import { chownSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as p from "@clack/prompts";
import { type ArgsDef, defineCommand } from "citty";
import { ExitCode, RaError } from "../errors";
import { serviceAccount } from "../service/account";
import { agentOptions } from "../options/agent";
import { cittyArgs } from "../options/define";
import { serveOptions } from "../options/serve";
import { agentSpec, serveDataDir, serveSpec, serveValues, type SpecInput } from "../service/build-spec";
import { installService, uninstallService } from "../service/install";
import { serviceLayout } from "../service/layout";
import { readManifest } from "../service/manifest";
import { selectServiceManager } from "../service/select";
import type { ServiceRole, ServiceScope } from "../service/spec";
import { workingDir } from "./agent";
import { canPrompt, guard, usage } from "./_shared";
import { DESCRIPTIONS } from "./descriptions";

const which = {
  serve: { type: "boolean", description: "The relay (`ra serve`) instead of the agent" },
  system: { type: "boolean", description: "Linux: a system unit in /etc/systemd/system (run with sudo; runs as you) instead of a user unit" },
} as const satisfies ArgsDef;

type Which = { serve?: boolean; system?: boolean };

function target(args: Which) {
  const role: ServiceRole = args.serve ? "serve" : "agent";
  const scope: ServiceScope = args.system ? "system" : "user";
  const manager = selectServiceManager();
  if (scope === "system" && manager.kind === "launchd") throw usage("--system is for Linux", "on macOS ra installs a LaunchAgent for your user; drop --system");
  const layout = serviceLayout(manager.kind, role, scope, serviceAccount("user").home);
  return { role, scope, manager, layout, label: `ra ${role} (${manager.kind} ${scope === "user" ? (manager.kind === "launchd" ? "LaunchAgent" : "user unit") : "system unit"} ${layout.target.name})` };
}

const say = (line: string) => process.stdout.write(`  • ${line}\n`);

function requireInstalled(t: ReturnType<typeof target>) {
  if (!existsSync(t.layout.target.file)) {
    throw new RaError("service_not_installed", `${t.label} is not installed`, {
      hint: `install it first: ra service install${t.role === "serve" ? " --serve" : ""}${t.scope === "system" ? " --system" : ""}`,
      exitCode: ExitCode.config,
    });
  }
}

const agentArgs = cittyArgs(agentOptions);
const serveOnlyArgs = Object.fromEntries(
  Object.entries(cittyArgs(serveOptions))
    .filter(([flag]) => !(flag in agentOptions))
    .map(([flag, arg]) => [flag, { ...arg, description: `With --serve: ${arg.description}` }]),
) as ArgsDef;

const install = defineCommand({
  meta: { name: "install", description: "Run `ra agent` (or `ra serve` with --serve) as a service that starts at boot and restarts after a crash" },
  args: {
    ...which,
    ...agentArgs,
    ...serveOnlyArgs,
    "bot-token": { type: "string", description: "With --serve: the bot token, saved in a 0600 file and never put on the command line (env RA_BOT_TOKEN; asked for in a terminal)", valueHint: "token" },
    "data-dir": { type: "string", description: "Passed on to ra agent (or ra serve with --serve)", valueHint: "dir" },
    linger: { type: "boolean", description: "Linux user unit: start at boot without a login (loginctl enable-linger); --no-linger to skip (env RA_LINGER=1/0; asked in a terminal)" },
  },
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const env = process.env;
      const t = target(args);
      refuseOtherRole(t.role, args);
      const account = serviceAccount(t.scope);
      const exe = process.execPath;
      if (/^bun(\.exe)?$/.test(basename(exe))) throw new RaError("not_compiled", "ra service install needs the compiled ra binary, not `bun src/main.ts`", { hint: "build it (npm run build) and run dist/ra service install", exitCode: ExitCode.usage });
      process.stdout.write(`Installing ${t.label}\n`);
      if (exe.startsWith(tmpdir())) say(`⚠ ${exe} is in a temporary folder; move ra to where it stays (e.g. ~/.local/bin/ra) and install again`);
      const input: SpecInput = { args, rawArgs, env, exe, cwd: process.cwd(), scope: t.scope, account, layout: t.layout, systemdVersion: await t.manager.version() };
      let spec;
      if (t.role === "agent") spec = agentSpec(input, workingDir);
      else {
        const { botToken: given } = serveValues(input);
        const dir = serveDataDir(input);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (account.uid !== undefined && account.gid !== undefined) chownSync(dir, account.uid, account.gid);
        spec = serveSpec(input, await botToken(given, dir));
      }
      if (t.role === "agent" && t.manager.kind === "launchd" && !spec.secrets.CLAUDE_CODE_OAUTH_TOKEN) {
        say("⚠ launchd jobs cannot read the login keychain, where claude keeps its login: run `claude setup-token` and install again with CLAUDE_CODE_OAUTH_TOKEN=… in the environment");
      }
      const lingerEnv = env.RA_LINGER === undefined ? undefined : /^(1|true|yes)$/i.test(env.RA_LINGER);
      await installService({ manager: t.manager, layout: t.layout, spec, user: account.user, linger: (args.linger as boolean | undefined) ?? lingerEnv, ask: canPrompt() ? confirm : undefined }, say);
      const flags = `${t.role === "serve" ? " --serve" : ""}${t.scope === "system" ? " --system" : ""}`;
      process.stdout.write(`\nNext: ra service status${flags} to see it running, ra service logs${flags} to watch it, ra doctor to check everything.\n`);
    }),
});

/** A flag of the other command would be dropped without a word: `--webhook` without --serve, `--root` with it. */
function refuseOtherRole(role: ServiceRole, args: Record<string, unknown>) {
  const [mine, other] = role === "serve" ? [serveOptions, agentOptions] : [agentOptions, serveOptions];
  const stray = Object.keys(other).find((flag) => !(flag in mine) && args[flag] !== undefined);
  if (!stray) return;
  throw usage(
    `--${stray} is an option of ra ${role === "serve" ? "agent" : "serve"}`,
    role === "serve" ? "install the agent without --serve (one service each)" : "add --serve to install ra serve as a service",
  );
}

async function botToken(given: string | undefined, dataDir: string): Promise<string | undefined> {
  if (given) return given.trim();
  const saved = join(dataDir, "bot-token");
  if (existsSync(saved)) {
    say(`ra serve will read the bot token saved in ${saved}`);
    return undefined;
  }
  if (!canPrompt()) {
    throw new RaError("bot_token_missing", "no Telegram bot token given", {
      hint: "run it as RA_BOT_TOKEN=123456:ABC… ra service install --serve (the token is saved in a 0600 file, not on the command line)",
      exitCode: ExitCode.config,
    });
  }
  const token = await p.password({ message: "Telegram bot token (from @BotFather)", validate: (v) => (/^\d+:[A-Za-z0-9_-]+$/.test(v ?? "") ? undefined : "a token looks like 123456789:AA…") });
  if (p.isCancel(token)) throw new RaError("cancelled", "cancelled", { exitCode: ExitCode.interrupted });
  return token;
}

async function confirm(message: string): Promise<boolean> {
  const answer = await p.confirm({ message });
  if (p.isCancel(answer)) throw new RaError("cancelled", "cancelled", { exitCode: ExitCode.interrupted });
  return answer === true;
}

const uninstall = defineCommand({
  meta: { name: "uninstall", description: "Stop the service and remove everything `ra service install` wrote" },
  args: which,
  run: ({ args }) =>
    guard(async () => {
      const t = target(args);
      const account = serviceAccount(t.scope);
      process.stdout.write(`Uninstalling ${t.label}\n`);
      const other = serviceLayout(t.manager.kind, t.role === "agent" ? "serve" : "agent", t.scope, account.home);
      const removed = await uninstallService({ manager: t.manager, layout: t.layout, user: account.user, othersInstalled: existsSync(other.target.file) }, say);
      if (removed) process.stdout.write(`\nDone. ra itself and its config are untouched; run it by hand with \`ra ${t.role}\`, or install the service again.\n`);
    }),
});

const control = (verb: "start" | "stop" | "restart", description: string) =>
  defineCommand({
    meta: { name: verb, description },
    args: which,
    run: ({ args }) =>
      guard(async () => {
        const t = target(args);
        requireInstalled(t);
        await t.manager[verb](t.layout.target);
        const state = await t.manager.state(t.layout.target);
        process.stdout.write(`${verb === "stop" ? "Stopped" : verb === "start" ? "Started" : "Restarted"} ${t.label}: ${state.running ? `running${state.pid ? ` (pid ${state.pid})` : ""}` : "not running"}\n`);
        if (verb !== "stop" && !state.running) {
          throw new RaError("service_not_running", `${t.layout.target.name} is not running after ${verb}`, { hint: `see why: ra service logs${args.serve ? " --serve" : ""}`, exitCode: ExitCode.failure });
        }
        if (verb === "stop") process.stdout.write("It starts again at the next boot/login; `ra service uninstall` removes it for good.\n");
      }),
  });

const status = defineCommand({
  meta: { name: "status", description: "Installed, running, started at boot, last exit (exit 0 running, 1 stopped, 78 not installed)" },
  args: which,
  run: ({ args }) =>
    guard(async () => {
      const t = target(args);
      const installed = existsSync(t.layout.target.file);
      const manifest = readManifest(t.layout.manifest);
      const line = (name: string, value: string) => process.stdout.write(`  ${`${name}:`.padEnd(11)} ${value}\n`);
      process.stdout.write(`${t.label}\n`);
      if (!installed) {
        line("installed", `no (ra service install${args.serve ? " --serve" : ""}${args.system ? " --system" : ""})`);
        process.exitCode = ExitCode.config;
        return;
      }
      line("installed", `yes, ${t.layout.target.file}${manifest ? ` (by ra ${manifest.version}, ${manifest.installedAt})` : ""}`);
      const state = await t.manager.state(t.layout.target);
      line("running", state.running ? `yes${state.pid ? ` (pid ${state.pid})` : ""}` : `no — ${state.detail ?? "stopped"}; start it: ra service start${args.serve ? " --serve" : ""}`);
      const linger = t.scope === "user" ? await t.manager.linger(serviceAccount("user").user) : undefined;
      const boot = !state.enabled ? "no (enable it: ra service install again)" : linger === false ? "at login only (for boot without a login: loginctl enable-linger)" : t.manager.kind === "launchd" ? "yes, at login" : "yes";
      line("at boot", boot);
      line("last exit", state.lastExit ?? "unknown");
      if (!state.running) process.exitCode = ExitCode.failure;
    }),
});

const logs = defineCommand({
  meta: { name: "logs", description: "Show the service's log and follow it (Ctrl-C stops)" },
  args: {
    ...which,
    follow: { type: "boolean", default: true, description: "Keep following new lines (--no-follow prints and exits)" },
    lines: { type: "string", default: "100", description: "How many past lines to show", valueHint: "n" },
  },
  run: ({ args }) =>
    guard(async () => {
      const t = target(args);
      requireInstalled(t);
      const lines = Number(args.lines);
      if (!Number.isInteger(lines) || lines < 0) throw usage(`--lines "${args.lines}" is not a number of lines`);
      const code = await t.manager.logs(t.layout.target, { follow: args.follow !== false, lines });
      if (code !== 0 && code !== 130) process.exitCode = ExitCode.failure;
    }),
});

export default defineCommand({
  meta: { name: "service", description: DESCRIPTIONS.service },
  subCommands: {
    install,
    uninstall,
    start: control("start", "Start the installed service"),
    stop: control("stop", "Stop the service (until the next boot or `ra service start`)"),
    restart: control("restart", "Restart the service (e.g. after replacing the ra binary)"),
    status,
    logs,
  },
});
