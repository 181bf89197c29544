// Memory per idle agent on the relay: N paired machines connect to one `ra serve` and idle.
// The machines are WebSocket clients in this process speaking the agent protocol (hello, then
// answering pings), so N can be large without N `ra agent` processes. Loopback only.
// Run after `npm run build`: `bun bench/idle-agents.ts` (RA_BENCH_AGENTS=N, default 1000, at most 5000).
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { encode, type AgentFrame, type RelayFrame } from "../src/proto";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RA_BINARY, RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { readColdNextTime, rssMiB, SETTLE_MS } from "./lib/memory";

const N = Number(process.env.RA_BENCH_AGENTS ?? 1000);
if (!Number.isInteger(N) || N < 1 || N > 5000) throw new Error(`RA_BENCH_AGENTS must be a whole number from 1 to 5000, not ${process.env.RA_BENCH_AGENTS}`);
const OWNER = 7;
const AT_ONCE = 50; // connections opening at the same time

readColdNextTime(RA_BINARY);
await using dir = tmpDir("ra-bench-agents-");
await using telegram = new FakeTelegram({ token: "1:bench" });
await using serve = new RaProcess(["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", dir.path, "--listen", "127.0.0.1:0", "--owner", String(OWNER)]);
const port = (await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1];

// Paired machines as `ra pair` leaves them: a devices row holding the SHA-256 of the token.
const tokens = Array.from({ length: N }, (_, i) => `ra_dev_bench${String(i).padStart(6, "0")}${crypto.randomUUID().replaceAll("-", "")}`);
const db = new Database(join(dir.path, "relay.db"));
db.run("PRAGMA busy_timeout = 5000");
const insert = db.prepare("INSERT INTO devices (id, name, owner_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)");
db.transaction(() => {
  tokens.forEach((token, i) => insert.run(`bench-${i}`, `bench-${i}`, OWNER, new Bun.CryptoHasher("sha256").update(token).digest("hex"), Date.now()));
})();
db.close();

await Bun.sleep(SETTLE_MS);
const before = rssMiB(serve.proc.pid);

const facts = { hostname: "bench", os: "linux", arch: "x64", user: "bench", agentVersion: "bench" };
const sockets: WebSocket[] = [];
/** Connects one machine and resolves when the relay welcomed it; fails on anything else. */
function connect(token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/agent`, { headers: { Authorization: `Bearer ${token}` } } as unknown as string[]);
    sockets.push(ws);
    ws.onopen = () => ws.send(encode<AgentFrame>({ type: "hello", facts, sessions: [] }));
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as RelayFrame;
      if (frame.type === "welcome") resolve();
      else if (frame.type === "ping") ws.send(encode<AgentFrame>({ type: "pong", t: frame.t }));
    };
    ws.onclose = (e) => reject(new Error(`the relay closed a machine's connection (${e.code} ${e.reason})`));
  });
}
for (let i = 0; i < N; i += AT_ONCE) await Promise.all(tokens.slice(i, i + AT_ONCE).map(connect));

await Bun.sleep(SETTLE_MS);
const after = rssMiB(serve.proc.pid);
for (const ws of sockets) ws.close();

console.log(`relay RSS per idle agent: ${(((after - before) * 1024) / N).toFixed(1)} KiB (${N} agents; relay ${before.toFixed(1)} → ${after.toFixed(1)} MiB)`);
