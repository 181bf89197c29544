// Builds the single `ra` executable: `bun scripts/build.ts` → dist/ra for this machine;
// `--all` → dist/release/ra-{linux,darwin}-{x64,arm64} + .xz copies + SHA256SUMS.
import { $ } from "bun";
import { mkdirSync } from "node:fs";

const all = process.argv.includes("--all");
const commit = (await $`git rev-parse --short HEAD`.nothrow().quiet().text()).trim() || "unknown";
const host = `${process.platform}-${process.arch}`;
const targets = all ? ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"] : [host];

mkdirSync(all ? "dist/release" : "dist", { recursive: true });
for (const target of targets) {
  const out = all ? `dist/release/ra-${target}` : "dist/ra";
  const cross = all ? [`--target=bun-${target}`] : [];
  // --bytecode needs --format=esm (otherwise the binary crashes at start while the build exits 0);
  // no dotenv/bunfig autoload so a stray .env in the user's folder cannot change ra's behaviour.
  await $`bun build src/main.ts --compile ${cross} --minify --sourcemap --bytecode --format=esm --no-compile-autoload-dotenv --no-compile-autoload-bunfig --define RA_COMMIT=${JSON.stringify(commit)} --define RA_TARGET=${JSON.stringify(target)} --outfile ${out}`.quiet();
  await $`rm -f ${out}.map`;
  // Smoke-run what can run here: catches a binary that builds but cannot start.
  if (target === host) await $`${out} --version`.quiet();
  console.log(`built ${out}`);
}
if (all) {
  for (const target of targets) await $`xz -T0 -6 -k -f dist/release/ra-${target}`;
  await $`cd dist/release && sha256sum ra-* > SHA256SUMS`;
  console.log("wrote dist/release/SHA256SUMS");
}
