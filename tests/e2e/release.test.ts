/**
 * What ships: `ra version` names version, commit and target, and the smoke script that checks a
 * release binary (`--version`, `version`, `ra serve` answering /healthz, clean SIGTERM) passes on
 * this machine's build. The linux-arm64 build is smoke-tested under qemu-aarch64-static only where
 * that emulator is installed (Debian: qemu-user-static); elsewhere that test is not defined.
 */
import { describe, expect, test } from "bun:test";
import pkg from "../../package.json" with { type: "json" };
import { RA_BINARY, RaProcess, REPO_ROOT } from "../helpers/ra-process";

async function run(argv: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(argv, { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

describe("release binary", () => {
  test("ra version prints version, commit and target", async () => {
    const proc = new RaProcess(["version"]);
    expect(await proc.exitCode()).toBe(0);
    const commit = (await run(["git", "rev-parse", "--short", "HEAD"])).out.trim();
    expect(proc.stdout).toBe(`ra ${pkg.version} (${commit}, ${process.platform}-${process.arch})\n`);
  });

  test("the smoke script passes on this machine's build", async () => {
    const { code, out } = await run(["bun", "scripts/smoke.ts", RA_BINARY], { RA_SMOKE_TARGET: `${process.platform}-${process.arch}` });
    expect(out).toContain("ok  ra serve answers /healthz");
    expect(out).toContain("ok  ra serve stops cleanly on SIGTERM");
    expect(code).toBe(0);
  });

  if (Bun.which("qemu-aarch64-static")) {
    test("linux-arm64 under qemu-aarch64-static: --version and ra serve answering /healthz", async () => {
      const { code, out } = await run(["bash", "scripts/smoke-arm64.sh"]);
      expect(out).toContain("ok  ra version → ra");
      expect(out).toContain("linux-arm64)");
      expect(out).toContain("ok  ra serve answers /healthz");
      expect(code).toBe(0);
    });
  }
});
