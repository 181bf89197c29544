// Builds the single `ra` executable: `bun scripts/build.ts` → dist/ra for this machine;
// `--all` → dist/release/ra-{linux,darwin}-{x64,arm64} + .xz copies + SHA256SUMS;
// `--target=linux-arm64` (repeatable) → just those release binaries (no .xz, no sums).
import { $ } from "bun";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { grammyWeb } from "./grammy-web";

const RELEASE_TARGETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"] as const;

const all = process.argv.includes("--all");
const picked = process.argv.filter((a) => a.startsWith("--target=")).map((a) => a.slice("--target=".length));
for (const t of picked) if (!(RELEASE_TARGETS as readonly string[]).includes(t)) fail(`unknown --target=${t}; use one of ${RELEASE_TARGETS.join(", ")}`);
const release = all || picked.length > 0;
const commit = (await $`git rev-parse --short HEAD`.nothrow().quiet().text()).trim() || "unknown";
const host = `${process.platform}-${process.arch}`;
const targets = all ? [...RELEASE_TARGETS] : picked.length ? picked : [host];
if (all && !Bun.which("xz")) fail("xz is needed for the .xz copies: apt-get install xz-utils (Debian/Ubuntu) or brew install xz (macOS)");

// Memory of the compiled binary (README "Performance"; each measured with bench/startup.ts):
// - JIT tier-up thresholds ×50 while ra is mostly idle: starting (module bodies, zod schemas,
//   option tables, the pairing card) stays in the interpreter instead of costing JIT code and the
//   compilers' pages (idle agent and idle relay −5 MiB each; `ra serve` and `ra agent` raise it
//   to ×200 as they start, src/jit-policy.ts, for about −0.8 MiB more). It restores the
//   normal thresholds once a process gets busy (a relay taking back thousands of machines).
// - --smol: a smaller JS heap, collected more often (about −0.5 MiB).
// - --bytecode-order: the bytecode that `ra agent`, `ra serve` and `ra --help` run is laid out
//   together at the front, so a process reads fewer pages of its own file (agent −1 MiB, relay
//   −2 MiB). Profiles match functions by a hash of their syntax and stay useful as code
//   changes; record them again with `bun scripts/record-bytecode-order.ts`.
// - grammY's web build (scripts/grammy-web.ts): no node:http/https/stream/util/tty in the relay.
const JIT_POLICY = 50;
const ORDER_FILES = ["agent", "serve", "help"].map((run) => `scripts/bytecode-order/${run}.order`).filter((path) => existsSync(path));

mkdirSync(release ? "dist/release" : "dist", { recursive: true });
for (const target of targets) {
  const out = release ? `dist/release/ra-${target}` : "dist/ra";
  // --bytecode needs --format=esm (otherwise the binary crashes at start while the build exits 0);
  // no dotenv/bunfig autoload so a stray .env in the user's folder cannot change ra's behaviour.
  // splitting: the chunks stay inside the one executable, and each is evaluated (with the
  // node:/bun: modules it imports) only when a command first imports it, so `ra agent` never
  // loads the relay's code. The build writes a source map per chunk beside the binary: the maps
  // are embedded already, so the side folder is dropped. minChunkSize folds small chunks without
  // side effects into one that loads anyway: fewer modules for `ra --help` to link.
  // (tests/unit/agent-imports.test.ts bundles with the same options.)
  const work = `${out}.parts`;
  rmSync(work, { recursive: true, force: true });
  const built = await Bun.build({
    entrypoints: ["src/main.ts"],
    outdir: work,
    target: "bun",
    format: "esm",
    splitting: true,
    minChunkSize: 16384,
    minify: true,
    sourcemap: "linked",
    bytecode: true,
    define: { RA_COMMIT: JSON.stringify(commit), RA_TARGET: JSON.stringify(target) },
    plugins: [grammyWeb],
    compile: {
      outfile: "ra",
      ...(release ? { target: `bun-${target}` as Bun.Build.CompileTarget } : {}),
      autoloadDotenv: false,
      autoloadBunfig: false,
      execArgv: ["--smol"],
      jitPolicy: JIT_POLICY,
      bytecodeOrder: ORDER_FILES.length > 0 && ORDER_FILES,
    },
    throw: false,
  });
  if (!built.success) fail(`bundling failed:\n${built.logs.join("\n")}`);
  renameSync(`${work}/ra`, out);
  rmSync(work, { recursive: true, force: true });
  checkArchitecture(out, target);
  // Smoke-run what can run here: catches a binary that builds but cannot start.
  if (target === host) await $`${out} --version`.quiet();
  console.log(`built ${out}`);
}
if (all) {
  const files: string[] = [];
  for (const target of targets) {
    const name = `ra-${target}`;
    await $`xz -T0 -6 -k -f dist/release/${name}`;
    await $`xz -t dist/release/${name}.xz`;
    chmodSync(`dist/release/${name}.xz`, 0o644);
    files.push(name, `${name}.xz`);
  }
  // `sha256sum -c SHA256SUMS` (Linux) and `shasum -a 256 -c SHA256SUMS` (macOS) both read this format.
  const lines = files.sort().map((name) => `${new Bun.CryptoHasher("sha256").update(readFileSync(`dist/release/${name}`)).digest("hex")}  ${name}`);
  writeFileSync("dist/release/SHA256SUMS", `${lines.join("\n")}\n`);
  console.log("wrote dist/release/SHA256SUMS");
}

/** The file really is an executable for `target` (ELF e_machine / Mach-O cputype), not the host's by mistake. */
function checkArchitecture(path: string, target: string): void {
  const head = readFileSync(path).subarray(0, 20);
  const [os, arch] = target.split("-");
  let found = "unknown";
  if (head.readUInt32BE(0) === 0x7f454c46) found = `linux-${({ 0x3e: "x64", 0xb7: "arm64" } as Record<number, string>)[head.readUInt16LE(18)] ?? "?"}`;
  else if (head.readUInt32LE(0) === 0xfeedfacf) found = `darwin-${({ 0x01000007: "x64", 0x0100000c: "arm64" } as Record<number, string>)[head.readUInt32LE(4)] ?? "?"}`;
  if (found !== `${os}-${arch}`) fail(`${path} is a ${found} executable, expected ${target}`);
}

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(1);
}
