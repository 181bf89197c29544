// Relay hub throughput: paired machines stream numbered text events as fast as acknowledgements
// allow (a window of unacknowledged events each, as the agent's outbox does), against the
// compiled `ra serve` (validation, storage with its fsync, the bus) and against a bare Bun.serve
// WebSocket that only parses and acks (bench/lib/bare-echo.ts), measured in the same run. The
// ratio is the relay's cost per frame over Bun's own. Loopback only. Run after `npm run build`:
// `bun bench/hub-throughput.ts` (RA_BENCH_FRAMES=N per machine, default 2000; RA_BENCH_HUB_PROFILE=<dir>
// for a CPU profile of the relay).
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { encode, type AgentFrame, type RelayFrame } from "../src/proto";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RaProcess } from "../tests/helpers/ra-process";
import { startBaseline } from "./lib/baseline";
import { tmpDir } from "../tests/helpers/tmp";
import { percentile } from "./lib/stats";

const MACHINES = 8;
const WINDOW = 32; // unacknowledged events each machine keeps in flight
const FRAMES = Number(process.env.RA_BENCH_FRAMES ?? 2000);
if (!Number.isInteger(FRAMES) || FRAMES < 10 || FRAMES > 100_000) throw new Error(`RA_BENCH_FRAMES must be a whole number from 10 to 100000, not ${process.env.RA_BENCH_FRAMES}`);
const OWNER = 7;
const TEXT = "x".repeat(100);
const facts = { hostname: "bench", os: "linux", arch: "x64", user: "bench", agentVersion: "bench" };

type Run = { framesPerSecond: number; ackMs: number[] };

/** One machine streaming FRAMES events; resolves with the time from each send to its ack. */
function stream(url: string, token: string, sessionId: string, turnId: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } } as unknown as string[]);
    const sentAt: number[] = [];
    const ackMs: number[] = [];
    let next = 1;
    const send = () => {
      sentAt[next] = performance.now();
      ws.send(encode<AgentFrame>({ type: "event", sessionId, seq: next, at: Date.now(), event: { kind: "text", turnId, text: TEXT } }));
      next++;
    };
    ws.onopen = () => ws.send(encode<AgentFrame>({ type: "hello", facts, sessions: [{ sessionId, busy: false }] }));
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as RelayFrame;
      if (frame.type === "welcome") while (next <= Math.min(WINDOW, FRAMES)) send();
      else if (frame.type === "ping") ws.send(encode<AgentFrame>({ type: "pong", t: frame.t }));
      else if (frame.type === "error") reject(new Error(`the relay refused an event: ${frame.message}`));
      else if (frame.type === "ack") {
        ackMs.push(performance.now() - sentAt[frame.seq]!);
        if (next <= FRAMES) send();
        if (ackMs.length === FRAMES) {
          ws.close();
          resolve(ackMs);
        }
      }
    };
    ws.onclose = (e) => ackMs.length < FRAMES && reject(new Error(`connection closed after ${ackMs.length} acks (${e.code} ${e.reason})`));
  });
}

async function measure(url: string, tokens: string[]): Promise<Run> {
  const t0 = performance.now();
  const all = await Promise.all(tokens.map((token, i) => stream(url, token, `s-hub-${i}`, `t-hub-${i}`)));
  const seconds = (performance.now() - t0) / 1000;
  return { framesPerSecond: (MACHINES * FRAMES) / seconds, ackMs: all.flat() };
}

const line = (name: string, run: Run) =>
  `${name}: ${Math.round(run.framesPerSecond)} frames/s, ack p50 ${percentile(run.ackMs, 50).toFixed(2)} ms, p99 ${percentile(run.ackMs, 99).toFixed(2)} ms (${MACHINES} machines × ${FRAMES} frames, window ${WINDOW})`;

const tokens = Array.from({ length: MACHINES }, (_, i) => `ra_dev_hub${i}${crypto.randomUUID().replaceAll("-", "")}`);

// The bare baseline first, then the relay, each alone on the machine.
let bare: Awaited<ReturnType<typeof measure>>;
{
  await using echo = await startBaseline("bare-echo.ts");
  bare = await measure(`ws://127.0.0.1:${echo.port}/`, tokens);
}

await using dir = tmpDir("ra-bench-hub-");
await using telegram = new FakeTelegram({ token: "1:bench" });
// RA_BENCH_HUB_PROFILE=<dir>: the relay writes a CPU profile (markdown) there when it exits.
const profile = process.env.RA_BENCH_HUB_PROFILE ? { BUN_OPTIONS: `--cpu-prof-md --cpu-prof-dir=${process.env.RA_BENCH_HUB_PROFILE}` } : undefined;
await using serve = new RaProcess(["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", dir.path, "--listen", "127.0.0.1:0", "--owner", String(OWNER)], { env: profile });
const port = (await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]!;
// Paired machines as `ra pair` leaves them, each with an open session and a running turn that its
// events stream into (the relay stores events only for a known session and turn), as a long answer does.
const db = new Database(join(dir.path, "relay.db"));
db.run("PRAGMA busy_timeout = 5000");
const now = Date.now();
db.transaction(() => {
  tokens.forEach((token, i) => {
    db.run("INSERT INTO devices (id, name, owner_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)", [`hub-${i}`, `hub-${i}`, OWNER, new Bun.CryptoHasher("sha256").update(token).digest("hex"), now]);
    db.run("INSERT INTO sessions (id, device_id, chat_id, created_at) VALUES (?, ?, ?, ?)", [`s-hub-${i}`, `hub-${i}`, OWNER, now]);
    db.run("INSERT INTO turns (id, session_id, chat_id, prompt, status, created_at) VALUES (?, ?, ?, 'bench', 'running', ?)", [`t-hub-${i}`, `s-hub-${i}`, OWNER, now]);
  });
})();
db.close();
const relay = await measure(`ws://127.0.0.1:${port}/ws/agent`, tokens);

console.log(line("bare Bun.serve WebSocket (parse + ack)", bare));
console.log(line("relay hub (validate + store + ack)", relay));
console.log(`relay cost per frame: ${(bare.framesPerSecond / relay.framesPerSecond).toFixed(1)}× a bare Bun WebSocket`);
