// Memory of `ra agent` with several conversations: 4 live (4 claude processes, the default
// --max-sessions) and then 20 more stored idle (their claude ended to stay under the cap, revived
// with --resume on the next prompt). The agent's own RSS, and the claude processes' beside it.
// Run after `npm run build`: `bun bench/sessions-memory.ts`.
import { readdirSync, readFileSync } from "node:fs";
import { OWNER, startStack } from "../tests/helpers/stack";
import { rssMiB, SETTLE_MS } from "./lib/memory";

const LIVE = 4;
const STORED = 20;

/** The processes whose parent is `pid` (claude runs in its own process group, but is still its child). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {} // gone meanwhile
  }
  return out;
}

await using stack = await startStack({ agentArgs: ["--max-sessions", String(LIVE)] });
const agentPid = stack.agent.proc.pid;

async function conversation(n: number): Promise<void> {
  if (n > 1) {
    stack.telegram.userText(OWNER, "/new");
    await stack.waitForText(new RegExp(`Fresh conversation with laptop \\(#${n} `));
  }
  stack.telegram.userText(OWNER, `conversation ${n}`);
  await stack.telegram.waitFor(() => stack.messages(new RegExp(`echo: conversation ${n}\\b[\\s\\S]*✅`))[0], { timeoutMs: 60_000, message: `the answer in conversation ${n}` });
}

const measure = async (label: string) => {
  await Bun.sleep(SETTLE_MS); // idle means idle: let the turn's garbage settle before reading RSS
  const claudes = childrenOf(agentPid);
  const claudeMiB = claudes.reduce((sum, pid) => sum + rssMiB(pid), 0);
  console.log(`agent with ${label}: agent RSS ${rssMiB(agentPid).toFixed(1)} MiB; ${claudes.length} claude process(es) ${claudeMiB.toFixed(0)} MiB beside it`);
};

for (let n = 1; n <= LIVE; n++) await conversation(n);
await measure(`${LIVE} live sessions`);
for (let n = LIVE + 1; n <= LIVE + STORED; n++) await conversation(n);
await measure(`${LIVE} live and ${STORED} idle stored sessions`);
