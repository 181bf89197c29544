// What the core loop promises about the binary: its size, `ra --help` start time, and the idle
// memory of `ra serve` and `ra agent` (one line per figure, with its goal).
// Run after `npm run build`: `bun bench/startup.ts`.
import { statSync } from "node:fs";
import { join } from "node:path";
import { startFakeModelApi } from "../tests/fakes/model-api";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv } from "../tests/helpers/claude-env";
import { pairFromTelegram } from "../tests/helpers/pairing";
import { RA_BINARY, RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { Goals } from "./lib/goals";
import { readColdNextTime, rssMiB, SETTLE_MS } from "./lib/memory";

const RUNS = 30;
const GOAL_HELP_MS = 35;
const GOAL_SERVE_MIB = 50;
const GOAL_AGENT_MIB = 40;

const size = statSync(RA_BINARY).size;
const times: number[] = [];
for (let i = 0; i < RUNS + 3; i++) {
  const t0 = performance.now();
  Bun.spawnSync([RA_BINARY, "--help"], { stdout: "ignore", stderr: "ignore" });
  if (i >= 3) times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);

readColdNextTime(RA_BINARY);
await using dir = tmpDir("ra-bench-");
await using telegram = new FakeTelegram({ token: "1:bench" });
await using model = startFakeModelApi();
using claude = createClaudeEnv(model.url);
await using serve = new RaProcess(["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", join(dir.path, "relay"), "--listen", "127.0.0.1:0", "--owner", "7"]);
const port = (await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1];
await using pair = new RaProcess(["pair", "--relay", `http://127.0.0.1:${port}`, "--name", "bench", "--config", join(dir.path, "config.json")]);
await pairFromTelegram(telegram, 7, pair);
await pair.exitCode();
await using agent = new RaProcess(["agent", "--config", join(dir.path, "config.json"), "--root", claude.makeWorkdir(), "--claude", CLAUDE_BIN, "--data-dir", join(dir.path, "agent")], { env: claude.env });
await agent.waitFor(/connected to/);
await Bun.sleep(SETTLE_MS); // idle means idle: let start-up garbage settle before reading RSS

const goals = new Goals("startup");
const helpMs = times[Math.floor(RUNS / 2)]!;
const serveMiB = rssMiB(serve.proc.pid);
const agentMiB = rssMiB(agent.proc.pid);
console.log(`binary size: ${(size / 2 ** 20).toFixed(1)} MiB (${size} bytes)`);
const helpMark = goals.check(helpMs < GOAL_HELP_MS, `ra --help median ${helpMs.toFixed(1)} ms (goal < ${GOAL_HELP_MS} ms)`);
console.log(`ra --help: median ${helpMs.toFixed(1)} ms, p90 ${times[Math.floor(RUNS * 0.9)]!.toFixed(1)} ms over ${RUNS} runs (goal: median < ${GOAL_HELP_MS} ms ${helpMark})`);
const serveMark = goals.check(serveMiB < GOAL_SERVE_MIB, `serve idle RSS ${serveMiB.toFixed(1)} MiB (goal < ${GOAL_SERVE_MIB})`);
console.log(`serve idle RSS: ${serveMiB.toFixed(1)} MiB (goal < ${GOAL_SERVE_MIB} ${serveMark})`);
const agentMark = goals.check(agentMiB < GOAL_AGENT_MIB, `agent idle RSS ${agentMiB.toFixed(1)} MiB (goal < ${GOAL_AGENT_MIB})`);
console.log(`agent idle RSS: ${agentMiB.toFixed(1)} MiB (goal < ${GOAL_AGENT_MIB} ${agentMark})`);
goals.report();
