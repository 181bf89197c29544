// One hop between two relay instances through Redis, as ra's scale-out sends frames: one instance
// appends to a Redis Stream (XADD), another is blocked reading it (XREAD BLOCK) and gets it.
// Measured one-way on loopback against a real redis-server, paced (one frame in flight) and in a
// burst, next to the same frames over a bare Bun WebSocket between two sockets of one process.
// Run: `bun bench/redis-hop.ts` (RA_BENCH_HOPS=N, default 5000).
import { RedisClient } from "bun";
import { RedisStream } from "../src/relay/redis/stream";
import { startRedis } from "../tests/helpers/real-servers";
import { Goals } from "./lib/goals";
import { percentile } from "./lib/stats";

const N = Number(process.env.RA_BENCH_HOPS ?? 5000);
if (!Number.isInteger(N) || N < 10 || N > 1_000_000) throw new Error(`RA_BENCH_HOPS must be a whole number from 10 to 1000000, not ${process.env.RA_BENCH_HOPS}`);
const GOAL_P99_MS = 5;
const frame = JSON.stringify({ type: "event", sessionId: "s".repeat(21), seq: 1, event: { type: "text", text: "x".repeat(200) } });

await using redis = await startRedis();
const writer = new RedisClient(redis.url);
const stream = new RedisStream(writer, "bench:hop");
const stop = new AbortController();
let arrived: (at: number) => void = () => {};
let received = 0;
const reading = (async () => {
  for await (const _ of stream.read(redis.url, "$", stop.signal, 1000)) {
    received++;
    arrived(performance.now());
  }
})();
// The reader blocks from "$" (only new entries): wait until Redis shows it blocked before sending.
while (!String(await writer.send("CLIENT", ["LIST"])).includes("cmd=xread")) await Bun.sleep(1);

async function paced(send: () => unknown, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const got = new Promise<number>((resolve) => (arrived = resolve));
    void send();
    times.push((await got) - t0);
  }
  return times;
}

const hop = await paced(() => stream.append(frame), N);
const burstStart = performance.now();
const before = received;
const burstDone = new Promise<void>((resolve) => (arrived = () => received - before === N && resolve()));
for (let i = 0; i < N; i++) void stream.append(frame);
await burstDone;
const burstMs = performance.now() - burstStart;
stop.abort();
await reading.catch(() => {});
writer.close();

// The same frame over a bare WebSocket on loopback: what a hop costs without Redis in between.
let wsArrived: (at: number) => void = () => {};
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, s) => (s.upgrade(req) ? undefined : new Response("no")), websocket: { message: () => wsArrived(performance.now()) } });
const ws = new WebSocket(`ws://127.0.0.1:${server.port}`);
await new Promise((resolve) => (ws.onopen = resolve));
const bare: number[] = [];
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  const got = new Promise<number>((resolve) => (wsArrived = resolve));
  ws.send(frame);
  bare.push((await got) - t0);
}
ws.close();
server.stop(true);

const ms = (v: number) => v.toFixed(3);
const goals = new Goals("redis-hop");
const hopMark = goals.check(percentile(hop, 99) < GOAL_P99_MS, `redis hop p99 ${ms(percentile(hop, 99))} ms (goal < ${GOAL_P99_MS} ms)`);
console.log(`redis hop (XADD → blocked XREAD), one in flight: p50 ${ms(percentile(hop, 50))} ms, p99 ${ms(percentile(hop, 99))} ms over ${N} frames (goal p99 < ${GOAL_P99_MS} ms ${hopMark})`);
console.log(`redis hop burst: ${N} frames in ${burstMs.toFixed(0)} ms (${Math.round(N / (burstMs / 1000))} frames/s)`);
console.log(`bare Bun WebSocket hop, one in flight: p50 ${ms(percentile(bare, 50))} ms, p99 ${ms(percentile(bare, 99))} ms (redis hop p50 ×${(percentile(hop, 50) / percentile(bare, 50)).toFixed(1)})`);
goals.report();
