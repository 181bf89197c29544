import { VirtualClock } from "./virtual-clock";
import { afterEach } from "bun:test";
import { join } from "node:path";
import { openDb } from "../../src/relay/db/client";
import { createRepo } from "../../src/relay/db/repo";
import { tmpDir } from "./tmp";

const dirs: ReturnType<typeof tmpDir>[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await d[Symbol.asyncDispose]();
});

/**
 * A fresh relay database (the real sqlite file, migrations applied) in a temporary folder removed
 * after each test, and a clock the test turns by setting `clock.t`.
 */
export function tempRelayDb(startAt: number) {
  const dir = tmpDir();
  dirs.push(dir);
  const repo = createRepo(openDb(join(dir.path, "relay.db")));
  const clock = new VirtualClock();
  clock.t = startAt;
  return { dir: dir.path, repo, clock };
}
