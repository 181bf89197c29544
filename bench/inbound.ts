// Telegram update → prompt frame on the agent's socket: how long the relay takes from the moment
// the fake Bot API hands it a message until the machine gets the prompt, durable storage included.
// One simulated machine (no claude) answers each prompt at once so the next one runs; loopback only.
// Run after `npm run build`: `bun bench/inbound.ts` (RA_BENCH_PROMPTS=N, default 200, at most 2000).
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { answeringMachine } from "./lib/answering-machine";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { cpuSeconds } from "./lib/memory";
import { percentile } from "./lib/stats";

const N = Number(process.env.RA_BENCH_PROMPTS ?? 200);
if (!Number.isInteger(N) || N < 1 || N > 2000) throw new Error(`RA_BENCH_PROMPTS must be a whole number from 1 to 2000, not ${process.env.RA_BENCH_PROMPTS}`);
const OWNER = 7;
const GOAL_P99_MS = 3;

await using dir = tmpDir("ra-bench-inbound-");
await using telegram = new FakeTelegram({ token: "1:bench" });
await using serve = new RaProcess(["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", dir.path, "--listen", "127.0.0.1:0", "--owner", String(OWNER), "--poll-timeout", "30"]);
const port = (await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1];
await serve.waitFor(/polling for messages/);

const token = `ra_dev_bench${crypto.randomUUID().replaceAll("-", "")}`;
const db = new Database(join(dir.path, "relay.db"));
db.run("PRAGMA busy_timeout = 5000");
db.prepare("INSERT INTO devices (id, name, owner_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)").run("bench", "bench", OWNER, new Bun.CryptoHasher("sha256").update(token).digest("hex"), Date.now());
db.close();

const latencies: number[] = [];
let sentAt = 0;
let arrived: () => void = () => {};
const machine = await answeringMachine(`ws://127.0.0.1:${port}/ws/agent`, token, () => (latencies.push(performance.now() - sentAt), arrived()));

const cpuBefore = cpuSeconds(serve.proc.pid);
for (let i = 0; i < N; i++) {
  const prompt = new Promise<void>((resolve) => (arrived = resolve));
  sentAt = performance.now();
  telegram.userText(OWNER, `prompt ${i}`);
  await prompt;
}
const relayCpu = cpuSeconds(serve.proc.pid) - cpuBefore;
await machine.close();

const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
console.log(`inbound: Telegram update → prompt frame on the agent's socket: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${N} prompts (goal p99 < ${GOAL_P99_MS} ms)`);
// CPU time varies less than latency on a busy shared machine: what the relay spent per prompt (the update, the turn, the agent's turn.ended and its ack, the Telegram messages).
console.log(`inbound: the relay used ${((relayCpu * 1000) / N).toFixed(2)} ms of CPU per prompt`);
