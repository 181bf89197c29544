import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Diffs kept on the machine for the 🧾 button; older ones are removed. */
const KEEP = 50;

export const turnDiffPath = (dir: string, turnId: string) => join(dir, `turn-${turnId}.diff`);

/** Keeps a turn's diff (0600, in the agent's private data dir) and drops the oldest beyond KEEP. */
export function saveTurnDiff(dir: string, turnId: string, diff: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(turnDiffPath(dir, turnId), diff, { mode: 0o600 });
  const diffs = readdirSync(dir).filter((f) => /^turn-.*\.diff$/.test(f)).map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.at - a.at);
  for (const { f } of diffs.slice(KEEP)) rmSync(join(dir, f), { force: true });
}
