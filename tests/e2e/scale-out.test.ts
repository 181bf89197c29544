// Three `ra serve` instances on one Postgres and one Redis, behind a load balancer, through the
// compiled binary and the real claude CLI: one relay leads the bot (polls and draws the chats),
// the machine is connected to another, and a prompt reaches it and streams back once. kill -9 of
// the relay holding the machine mid-turn: the agent reconnects to another, the turn completes,
// every chunk shown once. kill -9 of the leading relay: another takes the lead within seconds and
// no update is lost or handled twice. The fake Bot API enforces Telegram's limits: zero 429s.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startFakeModelApi, type FakeModelApi } from "../fakes/model-api";
import { FakeTelegram } from "../fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv, type ClaudeTestEnv } from "../helpers/claude-env";
import { pairFromTelegram } from "../helpers/pairing";
import { RaProcess } from "../helpers/ra-process";
import { startPostgres, startRedis } from "../helpers/real-servers";
import { OWNER, TOKEN } from "../helpers/stack";
import { startBalancer } from "../helpers/tcp-balancer";
import { tmpDir } from "../helpers/tmp";

type Relay = { name: string; port: number; proc: RaProcess };

let pg: Awaited<ReturnType<typeof startPostgres>>;
let redis: Awaited<ReturnType<typeof startRedis>>;
let telegram: FakeTelegram;
let model: FakeModelApi;
let claude: ClaudeTestEnv;
let dir: ReturnType<typeof tmpDir>;
let balancer: ReturnType<typeof startBalancer>;
let agent: RaProcess;
let workdir: string;
const relays: Relay[] = [];

const LEADS = /this relay leads the Telegram bot now/;
const texts = () => telegram.chat(OWNER).filter((m) => !m.deleted).map((m) => m.text ?? "");
const waitForText = (pattern: RegExp, message = `a message matching ${pattern}`) => telegram.waitFor(() => texts().some((t) => pattern.test(t)), { timeoutMs: 45_000, message });
const count = (needle: string) => texts().join("\n").split(needle).length - 1;
const leader = () => relays.find((r) => !r.proc.proc.killed && LEADS.test(r.proc.output) && r.proc.output.lastIndexOf("leads the Telegram bot now") > r.proc.output.lastIndexOf("lost the lead"));
const holderOf = (device: string) => relays.filter((r) => !r.proc.proc.killed && r.proc.output.includes(`"${device}" connected from`)).at(-1);

async function startRelay(name: string, databaseUrl: string): Promise<Relay> {
  const proc = new RaProcess([
    "serve", "--bot-token", TOKEN, "--telegram-api-root", telegram.url, "--data-dir", join(dir.path, name), "--listen", "127.0.0.1:0",
    "--poll-timeout", "1", "--owner", String(OWNER), "--database", databaseUrl, "--redis", redis.url,
  ]);
  const port = Number((await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/, `relay ${name} to listen`))[1]);
  return { name, port, proc };
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await pg.createDatabase("relays");
  telegram = new FakeTelegram({ token: TOKEN, username: "ra_test_bot", documentedLimits: true });
  model = startFakeModelApi();
  claude = createClaudeEnv(model.url);
  dir = tmpDir("ra-scale-");
  relays.push(...(await Promise.all(["a", "b", "c"].map((name) => startRelay(name, databaseUrl)))));
  await telegram.waitFor(() => leader(), { message: "one relay to lead the bot" });
  balancer = startBalancer(relays.map((r) => r.port));
  const config = join(dir.path, "agent", "config.json");
  // `ra pair` waits on a relay that does not lead the bot: the owner's code reaches it through Redis.
  balancer.prefer(relays.find((r) => r !== leader())!.port);
  {
    await using pair = new RaProcess(["pair", "--relay", balancer.url, "--name", "laptop", "--config", config]);
    await pairFromTelegram(telegram, OWNER, pair);
    expect(await pair.exitCode()).toBe(0);
    expect(relays.find((r) => r.port === balancer.routed.at(-1))).not.toBe(leader());
  }
  balancer.prefer(relays.find((r) => r !== leader())!.port);
  workdir = claude.makeWorkdir();
  agent = new RaProcess(["agent", "--config", config, "--root", workdir, "--claude", CLAUDE_BIN], { env: claude.env });
  await agent.waitFor(/connected to .* as "laptop"/, "the agent to connect");
}, 120_000);

afterAll(async () => {
  await agent?.[Symbol.asyncDispose]();
  for (const relay of relays) await relay.proc[Symbol.asyncDispose]();
  balancer?.stop();
  await telegram?.stop();
  await model?.stop();
  claude?.[Symbol.dispose]();
  await dir?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
  await pg?.[Symbol.asyncDispose]();
});

const SLOW_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} of a long answer.`).join(" ");

describe("three relays on one Postgres and one Redis", () => {
  test("the machine is connected to a relay that does not lead the bot: a prompt reaches it and the answer streams back once", async () => {
    const holder = holderOf("laptop")!;
    expect(holder).not.toBe(leader());
    telegram.userText(OWNER, "hello across relays");
    await waitForText(/echo: hello across relays[\s\S]*✅ laptop/);
    expect(count("echo: hello across relays")).toBe(1);
    // What the machine allows (its folder) is known to the leading relay too.
    expect(texts().find((t) => t.includes("echo: hello across relays"))).toContain(`📁 ${workdir}`);
  });

  test("kill -9 of the relay holding the machine mid-turn: the agent reconnects to another, the turn completes, every chunk once", async () => {
    const holder = holderOf("laptop")!;
    balancer.prefer(relays.find((r) => r !== holder && r !== leader())!.port);
    model.enqueue([{ text: SLOW_ANSWER, chunkSize: 12, delayMs: 40 }]);
    telegram.userText(OWNER, "tell me a long story");
    await waitForText(/Sentence 3 of/);
    holder.proc.kill("SIGKILL");
    await holder.proc.exitCode();
    await agent.waitFor(/connected to .* as "laptop"[\s\S]*connected to .* as "laptop"/, "the agent to connect to another relay", 45_000);
    await waitForText(/Sentence 40 of a long answer\.[\s\S]*✅ laptop/, "the whole answer after the holder died");
    const all = texts().join("\n");
    expect(all.split("Sentence 1 of").length - 1).toBe(1);
    expect(all).toContain(SLOW_ANSWER);
    expect(all.split("Sentence 40 of a long answer.").length - 1).toBe(1);
    expect(holderOf("laptop")).not.toBe(holder);
  });

  test("kill -9 of the leading relay: another takes the lead within seconds, the prompt sent meanwhile is answered once", async () => {
    const old = leader()!;
    old.proc.kill("SIGKILL");
    await old.proc.exitCode();
    telegram.userText(OWNER, "while nobody leads");
    await telegram.waitFor(() => leader(), { timeoutMs: 20_000, message: "another relay to take the lead" });
    await waitForText(/echo: while nobody leads[\s\S]*✅ laptop/);
    telegram.userText(OWNER, "after the takeover");
    await waitForText(/echo: after the takeover[\s\S]*✅ laptop/);
    expect(count("echo: while nobody leads")).toBe(1);
    expect(count("echo: after the takeover")).toBe(1);
  });

  test("no call was refused with a 429 across the relays", () => {
    expect(telegram.limits!.rejected).toEqual([]);
  });
});
