// Telegram update → prompt frame on the agent's socket: how long the relay takes from the moment
// the fake Bot API hands it a message until the machine gets the prompt, durable storage included.
// One simulated machine (no claude) answers each prompt at once so the next one runs; loopback only.
// The same run measures a bare baseline (bench/lib/bare-inbound.ts: long poll, one sqlite commit
// and its fdatasync, the frame) against the same fakes: what this machine's disk and loopback
// cost at the least, so the relay's own share shows as a ratio when absolute times are noisy.
// A second relay run has 10,000 more paired machines connected and idle (RA_BENCH_IDLE_MACHINES=N, 0 to skip).
// Run after `npm run build`: `bun bench/inbound.ts` (RA_BENCH_PROMPTS=N, default 1000, at most 2000).
// Goal: p99 < 3 ms with and without the idle machines; exits 1 when missed.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { answeringMachine } from "./lib/answering-machine";
import { startBaseline, startHelper } from "./lib/baseline";
import { Goals } from "./lib/goals";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { cpuSeconds, jitSecondsBetween, jitThreads } from "./lib/memory";
import { percentile } from "./lib/stats";

const N = Number(process.env.RA_BENCH_PROMPTS ?? 1000);
/**
 * A relay runs for days, so the figures are for code the JIT has finished compiling (the first
 * prompt after start is printed on its own). Prompts go untimed, in blocks, until the JIT's
 * compiler threads worked at most JIT_SETTLED_S in QUIET_BLOCKS blocks in a row (after one quiet
 * block the JIT still worked 60–80 ms in the timed prompts with 10,000 machines connected). The
 * 500 prompts this warmed up with before left the JIT compiling (DFG and FTL) for about 0.4 s of
 * CPU within the 1000 timed ones, beside the relay's own 1.4 s: the figures were of its climb.
 */
const WARM_UP_BLOCK = 1000;
const WARM_UP_MAX = 40_000;
/** One clock tick of /proc's CPU times: a block in which the JIT used at most this compiled (almost) nothing. */
const JIT_SETTLED_S = 0.01;
const QUIET_BLOCKS = 2;
if (!Number.isInteger(N) || N < 1 || N > 2000) throw new Error(`RA_BENCH_PROMPTS must be a whole number from 1 to 2000, not ${process.env.RA_BENCH_PROMPTS}`);
const OWNER = 7;
/** Issue 13's goal, durable storage included, whatever the number of machines. The bare baseline's p99 in the same run says how much of it the disk and loopback leave. */
const GOAL_P99_MS = 3;
/** Paired machines connected (and idle) during the second run: the work per update must not grow with them. */
const IDLE_MACHINES = Number(process.env.RA_BENCH_IDLE_MACHINES ?? 10_000);
if (!Number.isInteger(IDLE_MACHINES) || IDLE_MACHINES < 0 || IDLE_MACHINES > 10_000) throw new Error(`RA_BENCH_IDLE_MACHINES must be a whole number from 0 to 10000, not ${process.env.RA_BENCH_IDLE_MACHINES}`);

/** `first`: the first prompt after start (cold); `warmUp`: prompts sent untimed; `latencies`: the N timed after them; `jitSeconds`: the JIT's work meanwhile. */
type Run = { first: number; warmUp: number; latencies: number[]; cpuSeconds: number; jitSeconds: number };

/** Sends N prompts one after another through `telegram` and times each until the machine has it. */
async function measure(telegram: FakeTelegram, socketUrl: string, token: string, pid: number): Promise<Run> {
  const latencies: number[] = [];
  let sentAt = 0;
  let arrived: () => void = () => {};
  const machine = await answeringMachine(socketUrl, token, () => (latencies.push(performance.now() - sentAt), arrived()));
  let sent = 0;
  const send = async () => {
    const prompt = new Promise<void>((resolve) => (arrived = resolve));
    sentAt = performance.now();
    telegram.userText(OWNER, `prompt ${sent++}`);
    await prompt;
  };
  await send();
  const first = latencies.pop()!;
  for (let jit = jitThreads(pid), quiet = 0; quiet < QUIET_BLOCKS && sent - 1 < WARM_UP_MAX; ) {
    for (let i = 0; i < WARM_UP_BLOCK; i++) await send();
    const now = jitThreads(pid);
    quiet = jitSecondsBetween(jit, now) <= JIT_SETTLED_S ? quiet + 1 : 0;
    jit = now;
  }
  const warmUp = sent - 1;
  latencies.length = 0;
  const cpuBefore = cpuSeconds(pid);
  const jitBefore = jitThreads(pid);
  for (let i = 0; i < N; i++) await send();
  const used = cpuSeconds(pid) - cpuBefore;
  const jitAfter = jitThreads(pid);
  await machine.close();
  return { first, warmUp, latencies, cpuSeconds: used, jitSeconds: jitSecondsBetween(jitBefore, jitAfter) };
}

await using dir = tmpDir("ra-bench-inbound-");
// RA_BENCH_INBOUND_PROFILE=<dir>: each relay run writes a CPU profile there when it exits (Chrome's .cpuprofile:
// the markdown form weighs each sample by the wall time until the next, which charges idle waits to whatever ran last).
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
  // The idle machines run in a process of their own (bench/lib/idle-fleet.ts), as on other hosts.
  await using _fleet = idle > 0 ? await startHelper("idle-fleet.ts", [join(data, "relay.db"), `ws://127.0.0.1:${port}/ws/agent`, String(idle), String(OWNER), "idle"], /ready \d+/) : undefined;
  return await measure(telegram, `ws://127.0.0.1:${port}/ws/agent`, token, serve.proc.pid);
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
const goals = new Goals("inbound");
/** The verdict for one relay run, with its ratio to the bare baseline for comparison. */
const verdict = (what: string, { p50, p99 }: { p50: number; p99: number }) => {
  const mark = goals.check(p99 < GOAL_P99_MS, `${what}: p99 ${p99.toFixed(1)} ms (goal < ${GOAL_P99_MS} ms; the bare baseline's ${b.p99.toFixed(1)} ms)`);
  return `goal p99 < ${GOAL_P99_MS} ms ${mark}; ${(p50 / b.p50).toFixed(1)}× the bare baseline at p50, ${(p99 / b.p99).toFixed(1)}× at p99`;
};
console.log(`inbound: bare baseline (long poll, one sqlite commit and its fdatasync, the frame): p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms, max ${b.max.toFixed(1)} ms over ${N} prompts`);
console.log(`inbound: Telegram update → prompt frame on the agent's socket: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, the first after start ${relay.first.toFixed(1)} ms: ${verdict("one machine", r)}`);
if (crowded) {
  const c = figures(crowded);
  console.log(`inbound: the same with ${IDLE_MACHINES} more machines connected: p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms, max ${c.max.toFixed(1)} ms: ${verdict(`${IDLE_MACHINES} more machines`, c)}`);
}
/** How long a run warmed up, and what the JIT still compiled while it was timed. */
const warmed = (what: string, run: Run) => `${what} ${run.warmUp} prompts (then ${(run.jitSeconds * 1000).toFixed(0)} ms of JIT work in the timed ones)`;
const warmUps = [warmed("the relay", relay), ...(crowded ? [warmed("with more machines", crowded)] : []), warmed("the bare baseline", bare)];
console.log(`inbound: warmed up, untimed, until the JIT compiled next to nothing in ${QUIET_BLOCKS} blocks of ${WARM_UP_BLOCK} prompts in a row (at most ${WARM_UP_MAX}): ${warmUps.join("; ")}`);
// CPU time varies less than latency on a busy shared machine: what the relay spent per prompt (the update, the turn, the agent's turn.ended and its ack, the Telegram messages).
console.log(`inbound: the relay used ${((relay.cpuSeconds * 1000) / N).toFixed(2)} ms of CPU per prompt (the bare baseline ${((bare.cpuSeconds * 1000) / N).toFixed(2)} ms)`);
goals.report();
