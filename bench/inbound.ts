// Telegram update → prompt frame on the agent's socket: how long the relay takes from the moment
// the fake Bot API hands it a message until the machine gets the prompt, durable storage included.
// One simulated machine (no claude) answers each prompt at once so the next one runs; loopback only.
// The same run measures a bare baseline (bench/lib/bare-inbound.ts: long poll, one sqlite commit
// and its fdatasync, the frame) against the same fakes: what this machine's disk and loopback
// cost at the least, so the relay's own share shows as a ratio when absolute times are noisy.
// A second relay run has 10,000 more paired machines connected and idle (RA_BENCH_IDLE_MACHINES=N, 0 to skip).
// Run after `npm run build`: `bun bench/inbound.ts` (RA_BENCH_PROMPTS=N, default 200, at most 2000).
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { answeringMachine } from "./lib/answering-machine";
import type { SimAgentCounters } from "./lib/sim-agent";
import { connectAll, simMachines } from "./lib/sim-machines";
import { startBaseline } from "./lib/baseline";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { cpuSeconds } from "./lib/memory";
import { percentile } from "./lib/stats";

const N = Number(process.env.RA_BENCH_PROMPTS ?? 200);
if (!Number.isInteger(N) || N < 1 || N > 2000) throw new Error(`RA_BENCH_PROMPTS must be a whole number from 1 to 2000, not ${process.env.RA_BENCH_PROMPTS}`);
const OWNER = 7;
const GOAL_P99_MS = 3;
/** Paired machines connected (and idle) during the second run: the work per update must not grow with them. */
const IDLE_MACHINES = Number(process.env.RA_BENCH_IDLE_MACHINES ?? 10_000);
if (!Number.isInteger(IDLE_MACHINES) || IDLE_MACHINES < 0 || IDLE_MACHINES > 10_000) throw new Error(`RA_BENCH_IDLE_MACHINES must be a whole number from 0 to 10000, not ${process.env.RA_BENCH_IDLE_MACHINES}`);

type Run = { latencies: number[]; cpuSeconds: number };

/** Sends N prompts one after another through `telegram` and times each until the machine has it. */
async function measure(telegram: FakeTelegram, socketUrl: string, token: string, pid: number): Promise<Run> {
  const latencies: number[] = [];
  let sentAt = 0;
  let arrived: () => void = () => {};
  const machine = await answeringMachine(socketUrl, token, () => (latencies.push(performance.now() - sentAt), arrived()));
  const cpuBefore = cpuSeconds(pid);
  for (let i = 0; i < N; i++) {
    const prompt = new Promise<void>((resolve) => (arrived = resolve));
    sentAt = performance.now();
    telegram.userText(OWNER, `prompt ${i}`);
    await prompt;
  }
  const used = cpuSeconds(pid) - cpuBefore;
  await machine.close();
  return { latencies, cpuSeconds: used };
}

await using dir = tmpDir("ra-bench-inbound-");
// RA_BENCH_INBOUND_PROFILE=<dir>: each relay run writes a CPU profile (markdown) there when it exits.
const profile = process.env.RA_BENCH_INBOUND_PROFILE ? { BUN_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.RA_BENCH_INBOUND_PROFILE}` } : undefined;

/** The relay on its own data folder; with `idle` more paired machines connected (and idle) while it is timed. */
async function relayRun(idle: number): Promise<Run> {
  const data = join(dir.path, `relay-${idle}`);
  await using telegram = new FakeTelegram({ token: "1:bench" });
  await using serve = new RaProcess(["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", data, "--listen", "127.0.0.1:0", "--owner", String(OWNER), "--poll-timeout", "30"], { env: profile });
  const port = (await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1];
  await serve.waitFor(/polling for messages/);
  const token = `ra_dev_bench${crypto.randomUUID().replaceAll("-", "")}`;
  const db = new Database(join(data, "relay.db"));
  db.run("PRAGMA busy_timeout = 5000");
  db.prepare("INSERT INTO devices (id, name, owner_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)").run("bench", "bench", OWNER, new Bun.CryptoHasher("sha256").update(token).digest("hex"), Date.now());
  // The owner's prompts go to this machine, however many others the owner has.
  db.prepare("INSERT INTO chats (chat_id, selected_device_id) VALUES (?, ?)").run(OWNER, "bench");
  db.close();
  const counters: SimAgentCounters = { dials: 0, refusedDuplicate: 0, welcomeTimeouts: 0, errors: [] };
  const others = simMachines(join(data, "relay.db"), { count: idle, owner: OWNER, prefix: "idle", url: `ws://127.0.0.1:${port}/ws/agent`, counters });
  await connectAll(others, 100, 60_000, () => serve.output.slice(-2000));
  try {
    return await measure(telegram, `ws://127.0.0.1:${port}/ws/agent`, token, serve.proc.pid);
  } finally {
    others.forEach((a) => a.stop());
  }
}

const relay = await relayRun(0);
const crowded = IDLE_MACHINES > 0 ? await relayRun(IDLE_MACHINES) : undefined;

let bare: Run;
{
  await using telegram = new FakeTelegram({ token: "1:bench" });
  await using baseline = await startBaseline("bare-inbound.ts", [telegram.url, "1:bench", join(dir.path, "bare.db")]);
  bare = await measure(telegram, `ws://127.0.0.1:${baseline.port}/`, "bare", baseline.proc.pid);
}

const figures = (run: Run) => ({ p50: percentile(run.latencies, 50), p99: percentile(run.latencies, 99), max: Math.max(...run.latencies) });
const r = figures(relay);
const b = figures(bare);
console.log(`inbound: Telegram update → prompt frame on the agent's socket: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms over ${N} prompts, the first after start ${relay.latencies[0]!.toFixed(1)} ms (goal p99 < ${GOAL_P99_MS} ms)`);
if (crowded) {
  const c = figures(crowded);
  console.log(`inbound: the same with ${IDLE_MACHINES} more machines connected: p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms, max ${c.max.toFixed(1)} ms (goal p99 < ${GOAL_P99_MS} ms whatever the number of machines)`);
}
console.log(`inbound: bare baseline (long poll, one sqlite commit and its fdatasync, the frame): p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms, max ${b.max.toFixed(1)} ms; the relay takes ${(r.p50 / b.p50).toFixed(1)}× at p50, ${(r.p99 / b.p99).toFixed(1)}× at p99`);
// CPU time varies less than latency on a busy shared machine: what the relay spent per prompt (the update, the turn, the agent's turn.ended and its ack, the Telegram messages).
console.log(`inbound: the relay used ${((relay.cpuSeconds * 1000) / N).toFixed(2)} ms of CPU per prompt (the bare baseline ${((bare.cpuSeconds * 1000) / N).toFixed(2)} ms)`);
