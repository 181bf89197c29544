// Smoke test of one built binary: `ra --version`, `ra version` naming the expected target, and
// `ra serve` (against the fake Bot API on loopback) answering /healthz, then a clean SIGTERM.
//   bun scripts/smoke.ts dist/ra
//   bun scripts/smoke.ts dist/release/ra-linux-arm64 --qemu   (under qemu-aarch64-static; see smoke-arm64.sh)
// Exit 0 when every step passed; the failing step and the binary's output otherwise.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeTelegram } from "../tests/fakes/telegram-api";

const binary = process.argv[2];
const useQemu = process.argv.includes("--qemu");
if (!binary) fail("usage: bun scripts/smoke.ts <binary> [--qemu]");
const qemu = useQemu ? Bun.which("qemu-aarch64-static") : null;
if (useQemu && !qemu) fail("qemu-aarch64-static not found (Debian: apt-get install qemu-user-static)");
// Emulation is slow: every step gets a generous deadline.
const STEP_MS = useQemu ? 120_000 : 30_000;
// The binary is linked against glibc: qemu needs the arm64 libraries (Debian: libc6-arm64-cross).
const sysroot = process.env.QEMU_LD_PREFIX ?? (existsSync("/usr/aarch64-linux-gnu") ? "/usr/aarch64-linux-gnu" : undefined);
const prefix = qemu ? [qemu, ...(sysroot ? ["-L", sysroot] : [])] : [];

async function run(args: string[]): Promise<string> {
  const proc = Bun.spawn([...prefix, binary!, ...args], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), NO_COLOR: "1" } });
  const timer = setTimeout(() => proc.kill("SIGKILL"), STEP_MS);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (code !== 0) fail(`ra ${args.join(" ")} exited ${code}\n${out}${err}`);
  return out.trim();
}

const version = await run(["--version"]);
if (!/^\d+\.\d+\.\d+/.test(version)) fail(`ra --version printed "${version}"`);
console.log(`ok  ra --version → ${version}`);
const info = await run(["version"]);
const expected = process.env.RA_SMOKE_TARGET;
if (!/^ra \d+\.\d+\.\d+ \(\S+, \S+\)$/.test(info) || (expected && !info.includes(`, ${expected})`))) fail(`ra version printed "${info}"${expected ? ` (expected target ${expected})` : ""}`);
console.log(`ok  ra version → ${info}`);

const telegram = new FakeTelegram({ token: "123456:SMOKE-test" });
const dir = mkdtempSync(join(tmpdir(), "ra-smoke-"));
const serve = Bun.spawn(
  [...prefix, binary!, "serve", "--bot-token", "123456:SMOKE-test", "--telegram-api-root", telegram.url, "--data-dir", dir, "--listen", "127.0.0.1:0", "--owner", "1", "--poll-timeout", "1"],
  { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NO_COLOR: "1", CI: "true" } },
);
let output = "";
try {
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ra serve did not listen within ${STEP_MS / 1000} s`)), STEP_MS);
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        output += decoder.decode(chunk, { stream: true });
        const match = output.match(/listening on 127\.0\.0\.1:(\d+)/);
        if (match) (clearTimeout(timer), resolve(Number(match[1])));
      }
    };
    void pump(serve.stdout);
    void pump(serve.stderr);
    void serve.exited.then((code) => reject(new Error(`ra serve exited ${code} before listening`)));
  });
  const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { ok?: boolean };
  if (health.ok !== true) throw new Error(`/healthz answered ${JSON.stringify(health)}`);
  console.log(`ok  ra serve answers /healthz on 127.0.0.1:${port}`);
  serve.kill("SIGTERM");
  const code = await serve.exited;
  if (code !== 0) throw new Error(`ra serve exited ${code} after SIGTERM`);
  console.log("ok  ra serve stops cleanly on SIGTERM");
} catch (err) {
  serve.kill("SIGKILL");
  fail(`${(err as Error).message}\n--- ra serve output ---\n${output}`);
} finally {
  await telegram.stop();
  rmSync(dir, { recursive: true, force: true });
}

function fail(message: string): never {
  console.error(`smoke: ${message}`);
  process.exit(1);
}
