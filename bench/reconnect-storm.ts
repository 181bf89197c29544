// Reconnect storm: N paired machines are connected, each with one open session, when the relay is
// killed (kill -9) and started again on the same port and data dir. Every machine dials again with
// the agent's full-jitter backoff, says hello and replays its unacknowledged events. Goals (issue
// 13): all back within 30 s, every event stored exactly once, /healthz p99 < 50 ms during the storm,
// memory healthy afterwards. The machines are WebSocket clients in this process (bench/lib/sim-agent).
// Loopback only; bounded in count and time. Run after `npm run build`:
// `bun bench/reconnect-storm.ts` (RA_BENCH_STORM_AGENTS=N, default 10000, at most 10000;
// RA_BENCH_STORM_PROFILE=<dir> for a CPU profile of the restarted relay, RA_BENCH_STORM_TRACE=1
// for every slow /healthz sample).
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RA_BINARY, RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { Goals } from "./lib/goals";
import { cpuSeconds, readColdNextTime, rssMiB, SETTLE_MS } from "./lib/memory";
import type { SimAgent, SimAgentCounters } from "./lib/sim-agent";
import { allOnline, connectAll, simMachines, untilAgents } from "./lib/sim-machines";
import { percentile, secondsSummary } from "./lib/stats";

const MAX_AGENTS = 10_000; // each needs a descriptor here and one in the relay (ulimit -n)
const N = Number(process.env.RA_BENCH_STORM_AGENTS ?? MAX_AGENTS);
if (!Number.isInteger(N) || N < 1 || N > MAX_AGENTS) throw new Error(`RA_BENCH_STORM_AGENTS must be a whole number from 1 to ${MAX_AGENTS}, not ${process.env.RA_BENCH_STORM_AGENTS}`);
const OWNER = 7;
const AT_ONCE = 100; // connections opening at the same time before the storm
const GOAL_BACK_MS = 30_000;
const GOAL_HEALTHZ_P99_MS = 50;
const GOAL_RSS_GROWTH = 1.5; // relay RSS after the storm, as a multiple of before (same agents connected)
const STORM_LIMIT_MS = 120_000; // the bench gives up waiting after this
/** Events per session: 0 acknowledged before the kill, 1 sent as the relay dies, 2 made while it is down. */
const LAST_SEQ = 2;

readColdNextTime(RA_BINARY);
await using dir = tmpDir("ra-bench-storm-");
await using telegram = new FakeTelegram({ token: "1:bench" });
const serveArgs = (listen: string) => ["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", dir.path, "--listen", listen, "--owner", String(OWNER)];
const first = new RaProcess(serveArgs("127.0.0.1:0"));
const port = (await first.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]!;
const sampler = Bun.spawn([process.execPath, join(import.meta.dir, "lib", "healthz-sampler.ts"), `http://127.0.0.1:${port}/healthz`], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
sampler.stdin.write(`pid ${first.proc.pid}\n`);
sampler.stdin.flush();

const counters: SimAgentCounters = { dials: 0, refusedDuplicate: 0, welcomeTimeouts: 0, errors: [] };
const agents = simMachines(join(dir.path, "relay.db"), { count: N, owner: OWNER, prefix: "storm", url: `ws://127.0.0.1:${port}/ws/agent`, counters });
const init = (agent: SimAgent, seq: number) => ({ kind: "init" as const, turnId: agent.turnId, claudeSessionId: `c-${seq}` });

const until = (done: () => boolean, limitMs: number) => untilAgents(agents, done, limitMs);
const allAcked = () => agents.every((a) => a.online && a.outbox.size === 0);

// Before: everyone connected, event 0 stored and acknowledged.
const t0 = performance.now();
await connectAll(agents, AT_ONCE, 60_000, () => `before the storm\n${first.output.slice(-2000)}`);
console.log(`storm: ${N} agents connected in ${((performance.now() - t0) / 1000).toFixed(1)} s before the restart`);
agents.forEach((a) => a.emit(init(a, 0)));
if (!(await until(allAcked, 60_000))) throw new Error("event 0 was not acknowledged for every agent before the storm");
const idleFrom = Date.now();
await Bun.sleep(SETTLE_MS);
const idleTo = Date.now();
const rssBefore = rssMiB(first.proc.pid);

// The storm: event 1 goes out as the relay is killed, event 2 happens while it is down.
agents.forEach((a) => a.emit(init(a, 1)));
first.kill("SIGKILL");
const killedAt = performance.now();
agents.forEach((a) => a.emit(init(a, 2)));
await first.exitCode();
// RA_BENCH_STORM_PROFILE=<dir>: the restarted relay writes a CPU profile (markdown) there when it exits.
const profile = process.env.RA_BENCH_STORM_PROFILE ? { BUN_OPTIONS: `--cpu-prof-md --cpu-prof-dir=${process.env.RA_BENCH_STORM_PROFILE}` } : undefined;
await using second = new RaProcess(serveArgs(`127.0.0.1:${port}`), { env: profile });
await second.waitFor(/listening on 127\.0\.0\.1:\d+/, "the restarted relay listening");
const upAt = performance.now();
const upAtWall = Date.now();
sampler.stdin.write(`pid ${second.proc.pid}\n`);
sampler.stdin.flush();
const cpuAtUp = cpuSeconds(second.proc.pid);
const benchCpuAtUp = cpuSeconds(process.pid);

const allBack = await until(() => allOnline(agents), STORM_LIMIT_MS);
const backAt = performance.now();
const allDelivered = allBack && (await until(allAcked, Math.max(1, STORM_LIMIT_MS - (backAt - killedAt))));
const deliveredAt = performance.now();
const deliveredAtWall = Date.now();
const stormCpu = cpuSeconds(second.proc.pid) - cpuAtUp;
const benchCpu = cpuSeconds(process.pid) - benchCpuAtUp;
sampler.stdin.write("stop\n");
await sampler.stdin.end();
const sampled = JSON.parse((await new Response(sampler.stdout).text()).trim()) as { samples: { at: number; ms: number }[]; failures: number[]; rss: { at: number; mib: number }[] };
const within = (from: number, to: number) => ({
  latencies: sampled.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.ms),
  failures: sampled.failures.filter((at) => at >= from && at <= to).length,
  peakRssMiB: Math.max(0, ...sampled.rss.filter((r) => r.at >= from && r.at <= to).map((r) => r.mib)),
});
const idle = within(idleFrom, idleTo);
const health = within(upAtWall, deliveredAtWall);
if (process.env.RA_BENCH_STORM_TRACE) console.log(`trace (ms after the restarted relay listened, ms taken): ${JSON.stringify(sampled.samples.filter((s) => s.ms > 20 && s.at >= upAtWall).map((s) => [s.at - upAtWall, Math.round(s.ms)]))}`);
await Bun.sleep(SETTLE_MS);
const rssAfter = rssMiB(second.proc.pid);
agents.forEach((a) => a.stop());

// What the relay stored: every session at seq 2 with event 2's effect, and no gap it warned about.
const db = new Database(join(dir.path, "relay.db"));
db.run("PRAGMA busy_timeout = 5000");
const stored = db.query<{ n: number }, [number, string]>("SELECT count(*) AS n FROM sessions WHERE last_seq = ? AND claude_session_id = ?").get(LAST_SEQ, `c-${LAST_SEQ}`)!.n;
db.close();
const gaps = (second.output.match(/never arrived/g) ?? []).length + (first.output.match(/never arrived/g) ?? []).length;
const ackedFinal = agents.filter((a) => (a.acks.get(LAST_SEQ) ?? 0) >= 1).length;
const duplicateAcks = agents.reduce((n, a) => n + [...a.acks.values()].reduce((m, c) => m + c - 1, 0), 0);

const back = agents.filter((a) => a.welcomedAt > killedAt);
const sinceKill = back.map((a) => a.welcomedAt - killedAt);
const sinceUp = back.map((a) => a.welcomedAt - upAt);
const healthP99 = percentile(health.latencies, 99);
const goals = new Goals("storm");

console.log(`storm: relay restarted in ${((upAt - killedAt) / 1000).toFixed(2)} s after kill -9 (listening again on the same port)`);
console.log(`storm: ${back.length}/${N} agents back in ${allBack ? ((backAt - killedAt) / 1000).toFixed(1) : `more than ${STORM_LIMIT_MS / 1000}`} s after kill -9 (goal < ${GOAL_BACK_MS / 1000} s)`);
goals.check(allBack && backAt - killedAt < GOAL_BACK_MS, `not all ${N} agents were back within ${GOAL_BACK_MS / 1000} s of the kill`);
console.log(`storm: welcome per agent after kill -9: ${secondsSummary(sinceKill)}; after the relay listened: ${secondsSummary(sinceUp)}`);
console.log(`storm: ${counters.dials} dials in all, ${counters.refusedDuplicate} refused as duplicates (4408), ${counters.welcomeTimeouts} without a welcome in 25 s`);
console.log(`storm: all unacknowledged events acknowledged ${allDelivered ? `${((deliveredAt - killedAt) / 1000).toFixed(1)} s after kill -9` : "NOT within the limit"}; ${ackedFinal}/${N} agents saw event ${LAST_SEQ} acknowledged (${duplicateAcks} repeated acks for replays the relay already had)`);
console.log(`storm: ${stored}/${N} sessions stored exactly through event ${LAST_SEQ} in relay.db, ${gaps} gaps logged (goal ${N}/${N}, 0 gaps)`);
goals.check(allDelivered && stored === N && gaps === 0 && ackedFinal === N, "not every unacknowledged event was stored exactly once");
console.log(`storm: /healthz during the storm p50 ${percentile(health.latencies, 50).toFixed(1)} ms, p99 ${healthP99.toFixed(1)} ms, max ${Math.max(...health.latencies).toFixed(1)} ms over ${health.latencies.length} samples, ${health.failures} failed (goal p99 < ${GOAL_HEALTHZ_P99_MS} ms)`);
console.log(`storm: /healthz with ${N} idle agents before the kill p50 ${percentile(idle.latencies, 50).toFixed(1)} ms, p99 ${percentile(idle.latencies, 99).toFixed(1)} ms over ${idle.latencies.length} samples (for comparison)`);
goals.check(health.latencies.length > 0 && healthP99 < GOAL_HEALTHZ_P99_MS && health.failures === 0, `/healthz p99 was not under ${GOAL_HEALTHZ_P99_MS} ms (or requests failed) during the storm`);
console.log(`storm: relay RSS ${rssBefore.toFixed(1)} MiB before the kill → ${rssAfter.toFixed(1)} MiB after the storm, peak ${health.peakRssMiB.toFixed(1)} MiB during it (goal after < ${GOAL_RSS_GROWTH}× before)`);
goals.check(rssAfter < rssBefore * GOAL_RSS_GROWTH, `relay RSS after the storm grew past ${GOAL_RSS_GROWTH}× the RSS before it`);
if (counters.errors.length) console.log(`storm: ${counters.errors.length} errors from the relay, first: ${counters.errors[0]}`);
goals.check(counters.errors.length === 0, "the relay answered some agents with errors");

console.log(`storm: the restarted relay used ${stormCpu.toFixed(1)} s of CPU in the ${((deliveredAt - upAt) / 1000).toFixed(1)} s from listening to the last ack (${((stormCpu * 1000) / N).toFixed(2)} ms per agent); this bench process (the simulated agents) used ${benchCpu.toFixed(1)} s (near the wall time means the clients, not the relay, set the pace)`);
goals.report();
