// `npm run bench` (after the build): every benchmark in turn, each in its own process so one's
// memory and JIT state never colour the next. A benchmark that misses its goal (or fails) exits
// non-zero; the rest still run, and the run ends with the list of those that missed, exit 1.
import { join } from "node:path";

const BENCHES = [
  "startup.ts", "idle-agents.ts", "inbound.ts", "hub-throughput.ts", "reconnect-storm.ts", "approvals.ts",
  "telegram-stream.ts", "mask.ts", "web.ts", "redis-hop.ts", "scale-out.ts", "sessions-memory.ts",
];

const missed: string[] = [];
for (const bench of BENCHES) {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, bench)], { stdout: "inherit", stderr: "inherit", env: process.env });
  const code = await proc.exited;
  if (code !== 0) missed.push(`${bench} (exit ${code})`);
}
if (missed.length > 0) {
  console.log(`bench: missed a goal or failed: ${missed.join(", ")}`);
  process.exitCode = 1;
} else console.log(`bench: all ${BENCHES.length} benchmarks met their goals`);
