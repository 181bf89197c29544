// Paired machines that connect and then only idle, in a process of their own: the bench that
// times the relay (bench/inbound.ts) keeps its event loop for the stopwatch, the fake Bot API and
// the one machine it times, as when thousands of machines sit on other hosts. Prints "ready N"
// once all N are welcomed; stops when killed. Run by the bench:
// `bun bench/lib/idle-fleet.ts DB_PATH AGENT_URL COUNT OWNER PREFIX`.
import type { SimAgentCounters } from "./sim-agent";
import { connectAll, simMachines } from "./sim-machines";

const [dbPath, url, count, owner, prefix] = process.argv.slice(2) as [string, string, string, string, string];
const counters: SimAgentCounters = { dials: 0, refusedDuplicate: 0, welcomeTimeouts: 0, errors: [] };
const agents = simMachines(dbPath, { count: Number(count), owner: Number(owner), prefix, url, counters });
await connectAll(agents, 100, 60_000, () => `errors from the relay: ${counters.errors.slice(0, 3).join("; ")}`);
console.log(`ready ${agents.length}`);
process.on("SIGTERM", () => {
  agents.forEach((a) => a.stop());
  process.exit(0);
});
