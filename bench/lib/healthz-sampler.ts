// Samples a relay's GET /healthz every ~10 ms, and the relay's RSS, until told to stop; then prints
// one JSON line: { samples: [{ at, ms }], failures: [at], rss: [{ at, mib }] } (at: ms since epoch,
// when the request started). A process of its own, so a bench process busy with thousands of
// simulated agents does not add its own delays to the figures. Commands on stdin, one a line:
// `pid <n>` (whose RSS to read; a restarted relay has a new one) and `stop`.
// Usage: bun bench/lib/healthz-sampler.ts <healthz url>
import { rssMiB } from "./memory";

const url = process.argv[2];
if (!url) throw new Error("usage: bun bench/lib/healthz-sampler.ts <healthz url>");
/** A storm lasts 3–5 s: every 50 ms gave 60–70 samples, whose p99 is their slowest one. */
const EVERY_MS = 10;
const TIMEOUT_MS = 5000;

const samples: { at: number; ms: number }[] = [];
const failures: number[] = [];
const rss: { at: number; mib: number }[] = [];
let pid = 0;
let stopping = false;

async function sample(): Promise<void> {
  const at = Date.now();
  const t0 = performance.now();
  try {
    const res = await fetch(url!, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer();
    if (res.ok) samples.push({ at, ms: performance.now() - t0 });
    else failures.push(at);
  } catch {
    failures.push(at);
  }
  try {
    if (pid) rss.push({ at, mib: rssMiB(pid) });
  } catch {} // the relay is between lives
}

// One request at a time, started every EVERY_MS (or at once after a slower one): a stalled relay
// shows as a few long samples rather than a pile of concurrent ones.
const loop = (async () => {
  while (!stopping) {
    const started = performance.now();
    await sample();
    await Bun.sleep(Math.max(0, EVERY_MS - (performance.now() - started)));
  }
})();

for await (const line of console) {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === "pid") pid = Number(arg);
  else if (command === "stop") break;
}
stopping = true;
await loop;
console.log(JSON.stringify({ samples, failures, rss }));
