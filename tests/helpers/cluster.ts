import { join } from "node:path";
import { startFakeModelApi } from "../fakes/model-api";
import { FakeTelegram } from "../fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv } from "./claude-env";
import { freePort } from "./free-port";
import { pairFromTelegram } from "./pairing";
import { RaProcess } from "./ra-process";
import { startPostgres, startRedis } from "./real-servers";
import { OWNER, TOKEN } from "./stack";
import { startBalancer } from "./tcp-balancer";
import { tmpDir } from "./tmp";

export type Relay = { name: string; port: number; proc: RaProcess };
export type Cluster = Awaited<ReturnType<typeof startCluster>>;

const LEADS = "this relay leads the Telegram bot now";

/**
 * Several `ra serve` (the compiled binary) on one real Postgres and one real Redis behind a TCP
 * load balancer, with the fake Bot API (enforcing Telegram's documented limits) and the fake model.
 * `webhook`: Telegram delivers to the balancer's public URL, each delivery on a new connection, so
 * they land on the relays in turn.
 */
export async function startCluster(options: { relays?: number; webhook?: boolean } = {}) {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await pg.createDatabase("relays");
  const telegram = new FakeTelegram({ token: TOKEN, username: "ra_test_bot", documentedLimits: true, webhook: { freshConnections: true } });
  const model = startFakeModelApi();
  const claude = createClaudeEnv(model.url);
  const dir = tmpDir("ra-cluster-");
  const ports = Array.from({ length: options.relays ?? 3 }, () => freePort());
  const balancer = startBalancer(ports);
  const relays: Relay[] = await Promise.all(
    ports.map(async (port, i) => {
      const name = String.fromCharCode(97 + i);
      const proc = new RaProcess([
        "serve", "--bot-token", TOKEN, "--telegram-api-root", telegram.url, "--data-dir", join(dir.path, name), "--listen", `127.0.0.1:${port}`,
        "--poll-timeout", "1", "--owner", String(OWNER), "--database", databaseUrl, "--redis", redis.url,
        ...(options.webhook ? ["--webhook", "--public-url", balancer.url] : []),
      ]);
      await proc.waitFor(/listening on 127\.0\.0\.1:\d+/, `relay ${name} to listen`);
      return { name, port, proc };
    }),
  );
  const alive = (r: Relay) => !r.proc.proc.killed;
  const leads = (r: Relay) => alive(r) && r.proc.output.lastIndexOf(LEADS) > Math.max(-1, r.proc.output.lastIndexOf("lost the lead"));
  const leader = () => relays.find(leads);
  await telegram.waitFor(() => leader(), { message: "one relay to lead the bot" });
  const texts = () => telegram.chat(OWNER).filter((m) => !m.deleted).map((m) => m.text ?? "");
  let agent: RaProcess | undefined;
  const workdir = claude.makeWorkdir();

  return {
    telegram,
    model,
    redis,
    relays,
    balancer,
    workdir,
    get agent() {
      return agent!;
    },
    leader,
    /** The relay the machine's agent connected to last (among those alive). */
    holderOf: (device: string) => relays.filter((r) => alive(r) && r.proc.output.includes(`"${device}" connected from`)).at(-1),
    texts,
    waitForText: (pattern: RegExp, message = `a message matching ${pattern}`) => telegram.waitFor(() => texts().some((t) => pattern.test(t)), { timeoutMs: 45_000, message }),
    /** How many times `needle` appears in the owner's chat. */
    count: (needle: string) => texts().join("\n").split(needle).length - 1,
    /** kill -9 of a relay. */
    async kill(relay: Relay) {
      relay.proc.kill("SIGKILL");
      await relay.proc.exitCode();
    },
    /** Pairs "laptop" through the balancer while it prefers `pairVia`, then starts its agent connected to `agentVia`. */
    async pairAndStart(pairVia: Relay, agentVia: Relay) {
      const config = join(dir.path, "agent", "config.json");
      balancer.prefer(pairVia.port);
      {
        await using pair = new RaProcess(["pair", "--relay", balancer.url, "--name", "laptop", "--config", config]);
        await pairFromTelegram(telegram, OWNER, pair);
        if ((await pair.exitCode()) !== 0) throw new Error(`ra pair failed:\n${pair.output}`);
      }
      balancer.prefer(agentVia.port);
      agent = new RaProcess(["agent", "--config", config, "--root", workdir, "--claude", CLAUDE_BIN], { env: claude.env });
      await agent.waitFor(/connected to .* as "laptop"/, "the agent to connect");
    },
    async [Symbol.asyncDispose]() {
      await agent?.[Symbol.asyncDispose]();
      for (const relay of relays) await relay.proc[Symbol.asyncDispose]();
      balancer.stop();
      await telegram.stop();
      await model.stop();
      claude[Symbol.dispose]();
      await dir[Symbol.asyncDispose]();
      await redis[Symbol.asyncDispose]();
      await pg[Symbol.asyncDispose]();
    },
  };
}
