import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { childEnv } from "../agent/child-env";
import { systemClock } from "../clock";
import { checkAgentConfig } from "../doctor/agent-config";
import { type CheckResult, fail, formatReport, warn } from "../doctor/check";
import { checkClaudeStreamJson, checkClaudeVersion } from "../doctor/claude";
import { checkClockSkew, checkRelay } from "../doctor/relay";
import { checkService } from "../doctor/service";
import { type BotApi, checkBotToken, checkPoller, checkWebhook } from "../doctor/telegram";
import { ExitCode, RaError } from "../errors";
import { agentConfigPath, dataDir } from "../paths";
import { serviceAccount } from "../service/account";
import { installedSecret } from "../service/installed-secret";
import { serviceLayout } from "../service/layout";
import { readManifest } from "../service/manifest";
import { selectServiceManager } from "../service/select";
import { guard } from "./_shared";
import { DESCRIPTIONS } from "./descriptions";

export default defineCommand({
  meta: { name: "doctor", description: DESCRIPTIONS.doctor },
  args: {
    serve: { type: "boolean", description: "Check the relay (bot token, webhook, other pollers) instead of the agent" },
    system: { type: "boolean", description: "Look for a system service (ra service install --system) instead of a user one" },
    config: { type: "string", description: "Agent config (env RA_CONFIG, default ~/.config/ra/config.json)", valueHint: "file" },
    claude: { type: "string", description: "Path of the claude executable (env RA_CLAUDE, default: claude on PATH)", valueHint: "path" },
    "bot-token": { type: "string", description: "With --serve: the bot token (env RA_BOT_TOKEN; default: the one ra serve or its service would use)", valueHint: "token" },
    "data-dir": { type: "string", description: "With --serve: the relay's data dir (env RA_DATA_DIR)", valueHint: "dir" },
    listen: { type: "string", description: "With --serve: where the relay on this machine listens (env RA_LISTEN, default 0.0.0.0:8080)", valueHint: "host:port" },
    "telegram-api-root": { type: "string", description: "With --serve: Bot API server (env RA_TELEGRAM_API_ROOT)", valueHint: "url" },
    "poll-timeout": { type: "string", description: "With --serve: seconds to poll while looking for another poller (default 3)", valueHint: "s" },
    database: { type: "string", description: "With --serve: the relay's Postgres URL (env RA_DATABASE_URL; default: its service's)", valueHint: "url" },
    redis: { type: "string", description: "With --serve: the relays' Redis URL (env RA_REDIS_URL; default: its service's)", valueHint: "url" },
  },
  run: ({ args }) =>
    guard(async () => {
      const env = process.env;
      const results: CheckResult[] = [];
      const report = (result: CheckResult) => {
        results.push(result);
        process.stdout.write(`${formatReport([result])}\n`);
      };
      if (args.serve) await serveChecks(args, env, report);
      else await agentChecks(args, env, report);
      report(await serviceCheck(args.serve ? "serve" : "agent", Boolean(args.system)));
      const count = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
      process.stdout.write(`\n${count("ok")} ok, ${count("warn")} warning(s), ${count("fail")} failed\n`);
      if (count("fail") > 0) process.exitCode = ExitCode.failure;
    }),
});

type Args = Record<string, unknown>;
type Env = Record<string, string | undefined>;
const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
/** `--flag value` in a recorded command line. */
const flagValue = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

async function agentChecks(args: Args, env: Env, report: (r: CheckResult) => void) {
  // What the installed agent service uses, unless told otherwise: that is what has to work at boot.
  const argv = installedService("agent", Boolean(args.system))?.manifest?.argv ?? [];
  const probe = { given: str(args.claude) ?? env.RA_CLAUDE ?? flagValue(argv, "--claude"), env: childEnv(env), cwd: process.cwd() };
  const version = await checkClaudeVersion(probe);
  report(version.result);
  if (version.path && version.result.status === "ok") report(await checkClaudeStreamJson({ ...probe, path: version.path }));
  const { result, config } = checkAgentConfig(str(args.config) ?? env.RA_CONFIG ?? flagValue(argv, "--config") ?? agentConfigPath(env));
  report(result);
  if (!config) return;
  const relay = await checkRelay(config);
  report(relay);
  if (relay.status !== "fail" || !/unreachable/.test(relay.message)) report(await checkClockSkew(config.relay, systemClock));
}

async function serveChecks(args: Args, env: Env, report: (r: CheckResult) => void) {
  const dir = str(args["data-dir"]) ?? env.RA_DATA_DIR ?? dataDir(env);
  const service = installedService("serve", Boolean(args.system));
  const token = str(args["bot-token"]) ?? env.RA_BOT_TOKEN ?? savedToken(dir) ?? (service && installedSecret(service.layout, "RA_BOT_TOKEN"));
  if (!token) {
    report(fail("bot token", "no bot token given, none saved in the data dir and no service installed with one", "pass --bot-token or set RA_BOT_TOKEN (the token from @BotFather)"));
    return;
  }
  const database = str(args.database) ?? env.RA_DATABASE_URL ?? (service && installedSecret(service.layout, "RA_DATABASE_URL"));
  if (database) report(await (await import("../doctor/database")).checkDatabase(database));
  const redis = str(args.redis) ?? env.RA_REDIS_URL ?? (service && installedSecret(service.layout, "RA_REDIS_URL"));
  if (redis) report(await (await import("../doctor/redis")).checkRedis(redis));
  const api: BotApi = { root: str(args["telegram-api-root"]) ?? env.RA_TELEGRAM_API_ROOT ?? "https://api.telegram.org", token };
  const me = await checkBotToken(api);
  report(me);
  if (me.status === "fail") return;
  report(await checkWebhook(api));
  const seconds = Number(str(args["poll-timeout"]) ?? 3);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 50) throw new RaError("usage", `--poll-timeout "${args["poll-timeout"]}" is not 1–50 seconds`, { exitCode: ExitCode.usage });
  // Polling while this machine's relay runs would end its poll (and so the relay): find it first.
  const argv = service?.manifest?.argv ?? [];
  const listen = str(args.listen) ?? env.RA_LISTEN ?? flagValue(argv, "--listen") ?? "0.0.0.0:8080";
  const local = (await localRelay(listen)) ?? (await runningService(service));
  report(await checkPoller(api, local, seconds));
}

/** The token an interactive `ra serve` saved in its data dir. */
function savedToken(dir: string): string | undefined {
  const saved = join(dir, "bot-token");
  return existsSync(saved) ? readFileSync(saved, "utf8").trim() || undefined : undefined;
}

/** The ra service of this role on this machine as ra installed it (manager, files, manifest), or undefined without a service manager. */
function installedService(role: "agent" | "serve", system: boolean) {
  try {
    const manager = selectServiceManager();
    const layout = serviceLayout(manager.kind, role, system ? "system" : "user", serviceAccount("user").home);
    return { manager, layout, manifest: readManifest(layout.manifest) };
  } catch {
    return undefined;
  }
}

async function runningService(service: ReturnType<typeof installedService>): Promise<string | undefined> {
  if (!service || !existsSync(service.layout.target.file)) return undefined;
  const state = await service.manager.state(service.layout.target).catch(() => undefined);
  return state?.running ? `the ${service.layout.target.name} service` : undefined;
}

/** The relay on this machine, if one answers /healthz at --listen. */
async function localRelay(listen: string): Promise<string | undefined> {
  const match = listen.match(/^(.*):(\d+)$/);
  if (!match) throw new RaError("usage", `--listen "${listen}" is not HOST:PORT`, { exitCode: ExitCode.usage });
  const host = match[1]!.replace(/^\[|\]$/g, "");
  const url = `http://${host === "0.0.0.0" || host === "" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${match[2]}`;
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? url : undefined;
  } catch {
    return undefined;
  }
}

async function serviceCheck(role: "agent" | "serve", system: boolean): Promise<CheckResult> {
  let manager;
  try {
    manager = selectServiceManager();
  } catch (err) {
    return warn("service", `no service manager: ${(err as Error).message}`, "start ra by hand or from your init system");
  }
  return checkService(manager, serviceLayout(manager.kind, role, system ? "system" : "user", serviceAccount("user").home), serviceAccount("user").user);
}
