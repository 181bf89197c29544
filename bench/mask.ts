// Secret masking cost on adversarial text (the runs that made the old regexes backtrack
// quadratically: one 100 KB text event blocked the relay for seconds). Prints one line per case
// and exits non-zero unless the time grows about linearly: 300 KB may take at most 6× the time of
// 100 KB (linear is 3×, quadratic 9×). Run: `bun bench/mask.ts`.
import { maskSecrets } from "../src/secret-scan";
import { safePrefix } from "../src/relay/safe-prefix";
import { Goals } from "./lib/goals";

const KB = 1000;
/** 300 KB may take at most this many times the time of 100 KB: linear is 3×, quadratic 9×. */
const MAX_RATIO = 6;
const CASES: Record<string, (size: number) => string> = {
  "TOKENTOKEN… (one line)": (n) => "TOKEN".repeat(n / 5),
  "TOKEN:\\n lines": (n) => "TOKEN:\n".repeat(n / 7),
  "eyJ-eyJ-…": (n) => "eyJ-".repeat(n / 4),
  "sk-sk-…": (n) => "sk-".repeat(n / 3),
  "blank lines": (n) => "\n".repeat(n),
  "scheme://user: runs": (n) => "a://b:".repeat(n / 6),
  "-----BEGIN headers": (n) => "-----BEGIN RSA PRIVATE KEY-----".repeat(n / 31),
  "digits and colons": (n) => "123456789:".repeat(n / 10),
  "one letter": (n) => "a".repeat(n),
  "prose with secrets": (n) => "The key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz and API_KEY=hunter2hunter2 here.\n".repeat(n / 86),
};

/** Best of several runs, in ms (the least disturbed by other work on the machine). */
function best(fn: () => void, runs = 7): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

/** What the relay does to an answer: the streaming hold-back, and masking of the whole text (the final render). */
const render = (text: string) => {
  safePrefix(text);
  return maskSecrets(text);
};
const goals = new Goals("mask");
for (const [name, make] of Object.entries(CASES)) {
  const [small, large] = [make(100 * KB), make(300 * KB)];
  best(() => (render(small), render(large)), 3); // warm up the JIT
  const [t100, t300] = [best(() => render(small), 9), best(() => render(large), 9)];
  // Sub-millisecond timings are mostly noise: compare from 1 ms up.
  const ratio = Math.max(t300, 1) / Math.max(t100, 1);
  const mark = goals.check(ratio <= MAX_RATIO, `${name}: 300 KB took ×${ratio.toFixed(1)} the time of 100 KB (goal at most ×${MAX_RATIO}: about linear)`);
  console.log(`mask 100 KB / 300 KB ${name}: ${t100.toFixed(1)} ms / ${t300.toFixed(1)} ms (×${ratio.toFixed(1)}, goal ≤ ×${MAX_RATIO} ${mark})`);
}
goals.report();
