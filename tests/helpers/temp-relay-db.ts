import { VirtualClock } from "./virtual-clock";
import { afterEach } from "bun:test";
import { join } from "node:path";
import { openDb } from "../../src/relay/db/client";
import { createRepo } from "../../src/relay/db/repo";
import { asyncStore } from "../../src/relay/store/async";
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
  // `repo` as the relay uses it (answers as promises); `sqlite` for what a test checks in the file itself.
  const sqlite = createRepo(openDb(join(dir.path, "relay.db")));
  const repo = asyncStore(sqlite);
  const clock = new VirtualClock();
  clock.t = startAt;
  return { dir: dir.path, repo, sqlite, clock };
}
