// Records the profiles scripts/build.ts lays the binary's bytecode out by (--bytecode-order): which
// functions `ra agent`, `ra serve` and `ra --help` run, in the order they first run. Runs the same
// start as bench/startup.ts (a relay on the fake Bot API, a paired machine, an agent connected),
// loopback only. Run `bun scripts/record-bytecode-order.ts`, then `bun scripts/build.ts`.
// Record again when a big part of what these commands run has changed (bun:jsc's
// bytecodeOrderStats() in the binary shows how much of what it loads the profile missed).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { $ } from "bun";
import { startFakeModelApi } from "../tests/fakes/model-api";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv } from "../tests/helpers/claude-env";
import { pairFromTelegram } from "../tests/helpers/pairing";
import { RA_BINARY, RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { SETTLE_MS } from "../bench/lib/memory";

const OUT = "scripts/bytecode-order";

await $`bun scripts/build.ts`;
await using dir = tmpDir("ra-order-");
const recordTo = (run: string) => ({ BUN_BYTECODE_ORDER_OUT: join(dir.path, `${run}.order`) });

const help = Bun.spawnSync([RA_BINARY, "--help"], { env: { ...recordTo("help"), NO_COLOR: "1" }, stdout: "ignore" });
if (help.exitCode !== 0) throw new Error(`ra --help exited ${help.exitCode}`);

{
  await using telegram = new FakeTelegram({ token: "1:order" });
  await using model = startFakeModelApi();
  using claude = createClaudeEnv(model.url);
  await using serve = new RaProcess(["serve", "--bot-token", "1:order", "--telegram-api-root", telegram.url, "--data-dir", join(dir.path, "relay"), "--listen", "127.0.0.1:0", "--owner", "7"], { env: recordTo("serve") });
  const port = (await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1];
  await using pair = new RaProcess(["pair", "--relay", `http://127.0.0.1:${port}`, "--name", "order", "--config", join(dir.path, "config.json")]);
  await pairFromTelegram(telegram, 7, pair);
  if ((await pair.exitCode()) !== 0) throw new Error(`ra pair failed:\n${pair.output}`);
  await using agent = new RaProcess(["agent", "--config", join(dir.path, "config.json"), "--root", claude.makeWorkdir(), "--claude", CLAUDE_BIN, "--data-dir", join(dir.path, "agent")], { env: { ...claude.env, ...recordTo("agent") } });
  await agent.waitFor(/connected to/);
  // What an idle relay and agent run in the seconds bench/startup.ts waits before it reads their
  // memory (timers, polling, pings) belongs with the rest: loaded from the cold part, each such
  // function would bring in pages of its own.
  await Bun.sleep(SETTLE_MS);
  // Each process writes its profile as it exits: the agent first, then the relay it talked to.
  agent.kill("SIGTERM");
  await agent.exitCode();
  serve.kill("SIGTERM");
  await serve.exitCode();
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const run of ["agent", "serve", "help"]) {
  // "K" lines list every function of the recorded build (about 2/3 of the file); without them a
  // function the run did not use counts as new rather than cold, and is laid out after the used
  // ones all the same.
  const lines = readFileSync(join(dir.path, `${run}.order`), "utf8").split("\n").filter((line) => !line.startsWith("K "));
  writeFileSync(join(OUT, `${run}.order`), lines.join("\n"));
  console.log(`${OUT}/${run}.order: ${lines.filter((line) => line.startsWith("F ")).length} functions`);
}
console.log("now build with them: bun scripts/build.ts");
