// Several relays on one Postgres and one Redis (the compiled binary, real servers on loopback): what
// the hop between relays adds to a prompt's way in, and each relay's memory. Two `ra serve
// --database --redis`; the one leading the bot takes each Telegram update. A simulated machine (no
// claude) answers each prompt at once, connected in turns to the leading relay (no hop) and to the
// other one (the prompt frame crosses Redis to it). The difference of the two is the hop's cost.
// Run after `npm run build`: `bun bench/scale-out.ts` (RA_BENCH_PROMPTS=N, default 1000, at most 2000).
import { SQL } from "bun";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RaProcess } from "../tests/helpers/ra-process";
import { startPostgres, startRedis } from "../tests/helpers/real-servers";
import { tmpDir } from "../tests/helpers/tmp";
import { answeringMachine } from "./lib/answering-machine";
import { Goals } from "./lib/goals";
import { rssMiB, SETTLE_MS } from "./lib/memory";
import { percentile } from "./lib/stats";

/** Each way in is timed in this many blocks, taking turns. */
const BLOCKS = 5;
const N = Number(process.env.RA_BENCH_PROMPTS ?? 1000);
if (!Number.isInteger(N) || N < BLOCKS || N > 2000 || N % BLOCKS !== 0) throw new Error(`RA_BENCH_PROMPTS must be a multiple of ${BLOCKS} from ${BLOCKS} to 2000, not ${process.env.RA_BENCH_PROMPTS}`);
const OWNER = 7;
const GOAL_HOP_P99_MS = 5;

await using pg = await startPostgres();
await using redis = await startRedis();
const databaseUrl = await pg.createDatabase("bench");
await using dir = tmpDir("ra-bench-scale-");
await using telegram = new FakeTelegram({ token: "1:bench" });
const relay = async (name: string) => {
  const proc = new RaProcess(["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", `${dir.path}/${name}`, "--listen", "127.0.0.1:0",
    "--owner", String(OWNER), "--poll-timeout", "30", "--database", databaseUrl, "--redis", redis.url]);
  const port = Number((await proc.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
  return { name, proc, port };
};
const [a, b] = await Promise.all([relay("a"), relay("b")]);
await using _a = a.proc;
await using _b = b.proc;
const LEADS = /this relay leads the Telegram bot now/;
await telegram.waitFor(() => LEADS.test(a.proc.output) || LEADS.test(b.proc.output), { message: "a relay to lead the bot" });
const [leader, other] = LEADS.test(a.proc.output) ? [a, b] : [b, a];

const token = `ra_dev_bench${crypto.randomUUID().replaceAll("-", "")}`;
{
  const sql = new SQL(databaseUrl);
  const hash = new Bun.CryptoHasher("sha256").update(token).digest("hex");
  await sql`INSERT INTO devices (id, name, owner_id, token_hash, created_at) VALUES ('bench', 'bench', ${OWNER}, ${hash}, ${Date.now()})`;
  await sql.close();
}

/** The next event number of each conversation (it goes on across the machine's reconnect). */
const seq = new Map<string, number>();

/** Sends N prompts through Telegram with the machine connected to `port`; the latencies until each prompt frame arrives. */
async function promptsVia(port: number, count = N): Promise<number[]> {
  const latencies: number[] = [];
  let sentAt = 0;
  let arrived: () => void = () => {};
  const machine = await answeringMachine(`ws://127.0.0.1:${port}/ws/agent`, token, () => (latencies.push(performance.now() - sentAt), arrived()), seq);
  for (let i = 0; i < count; i++) {
    const prompt = new Promise<void>((resolve) => (arrived = resolve));
    sentAt = performance.now();
    telegram.userText(OWNER, `prompt ${i}`);
    const late = setTimeout(() => {
      console.error(`no prompt frame within 10 s; the relays said:\n${a.proc.output}\n${b.proc.output}\nthe bot said: ${telegram.chat(OWNER).map((m) => m.text).join("\n")}`);
      process.exit(1);
    }, 10_000);
    await prompt;
    clearTimeout(late);
  }
  await machine.close();
  return latencies;
}

const line = (l: number[]) => `p50 ${percentile(l, 50).toFixed(1)} ms, p99 ${percentile(l, 99).toFixed(1)} ms`;
await promptsVia(leader.port, 20); // warm-up: the first prompts of a relay pay for loading and preparing
await promptsVia(other.port, 20);
// The two ways in turns, a block each, so a slow spell of the machine (disk, neighbours) falls on
// both rather than on one: the hop is the difference of two tails, and one slow second moves a tail.
const direct: number[] = [];
const hopped: number[] = [];
for (let block = 0; block < BLOCKS; block++) {
  direct.push(...(await promptsVia(leader.port, N / BLOCKS)));
  hopped.push(...(await promptsVia(other.port, N / BLOCKS)));
}
const hop50 = percentile(hopped, 50) - percentile(direct, 50);
const hop99 = percentile(hopped, 99) - percentile(direct, 99);
const goals = new Goals("scale-out");
const hopMark = goals.check(hop99 < GOAL_HOP_P99_MS, `the hop between relays adds p99 ${hop99.toFixed(1)} ms (goal < ${GOAL_HOP_P99_MS} ms)`);
console.log(`scale-out: Telegram update → prompt frame, machine on the leading relay ${line(direct)}; on another relay ${line(hopped)} (${N} prompts each)`);
console.log(`scale-out: the hop between relays adds p50 ${hop50.toFixed(1)} ms, p99 ${hop99.toFixed(1)} ms (goal p99 < ${GOAL_HOP_P99_MS} ms ${hopMark})`);
await Bun.sleep(SETTLE_MS); // idle means idle: let the runs' garbage settle before reading RSS
console.log(`scale-out: memory per relay instance on Postgres and Redis: leading ${rssMiB(leader.proc.proc.pid).toFixed(1)} MiB, other ${rssMiB(other.proc.proc.pid).toFixed(1)} MiB`);
goals.report();
