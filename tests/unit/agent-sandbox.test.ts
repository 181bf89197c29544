// The sandbox's command lines and profile, and its clear errors when it cannot run here. The
// sandbox itself runs for real (bubblewrap, the real claude) in tests/e2e/policy.test.ts.
import { describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { bwrapArgv, createSandbox, sandboxExecProfile, sandboxPaths, type SandboxDeps } from "../../src/agent/sandbox";
import { RaError } from "../../src/errors";
import { tmpDir } from "../helpers/tmp";

const paths = sandboxPaths({ roots: ["/work/a", "/work/b"], home: "/home/u", hidden: ["/home/u/.config/ra"] });

describe("sandbox command lines", () => {
  test("writable: the roots and claude's config; hidden: the agent's token folder", () => {
    expect(paths).toEqual({ readable: [], writable: ["/work/a", "/work/b", "/home/u/.claude", "/home/u/.claude.json"], hidden: ["/home/u/.config/ra"] });
    expect(sandboxPaths({ roots: ["/r"], home: "/h", claudeConfigDir: "/cfg", hidden: [] }).writable).toEqual(["/r", "/cfg"]);
  });

  test("claude installed under /tmp stays visible (read-only) in the private /tmp; elsewhere nothing is added", () => {
    const inTmp = sandboxPaths({ roots: ["/r"], home: "/h", hidden: [], executable: "/tmp/ci/node_modules/.bin/claude" });
    expect(inTmp.readable).toContain("/tmp/ci/node_modules/.bin");
    const argv = bwrapArgv(inTmp, ["claude"]);
    const at = (flag: string, value: string) => argv.findIndex((a, i) => a === flag && argv[i + 1] === value);
    expect(at("--tmpfs", "/tmp")).toBeLessThan(at("--ro-bind", "/tmp/ci/node_modules/.bin"));
    expect(sandboxPaths({ roots: ["/r"], home: "/h", hidden: [], executable: "/usr/local/bin/claude" }).readable).toEqual([]);
  });

  test("bwrap: everything read-only, a private /tmp, then the writable binds, then the hidden folders, then claude", () => {
    const argv = bwrapArgv(paths, ["claude", "-p"], "/usr/bin/bwrap");
    expect(argv.slice(0, 9)).toEqual(["/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs"]);
    const at = (flag: string, value: string) => argv.findIndex((a, i) => a === flag && argv[i + 1] === value);
    expect(at("--tmpfs", "/tmp")).toBeLessThan(at("--bind", "/work/a"));
    expect(at("--bind", "/home/u/.claude.json")).toBeLessThan(at("--tmpfs", "/home/u/.config/ra"));
    expect(argv).toContain("--die-with-parent");
    expect(argv).not.toContain("--new-session"); // a new session would leave ra's process group: /stop could not reach claude's tools
    expect(argv.slice(-3)).toEqual(["--", "claude", "-p"]);
  });

  test("sandbox-exec: writes denied except the roots, claude's config and temp folders; the token folder unreadable", () => {
    const profile = sandboxExecProfile(paths);
    expect(profile).toContain("(deny file-write*)");
    expect(profile).toContain('(subpath "/work/a")');
    expect(profile).toContain('(subpath "/home/u/.claude")');
    expect(profile).toContain('(regex #"^\\/home\\/u\\/\\.claude\\.json")');
    expect(profile).toContain('(deny file-read* file-write* (subpath "/home/u/.config/ra"))');
  });
});

describe("when the sandbox cannot run", () => {
  const deps = (over: Partial<SandboxDeps>): SandboxDeps => ({ platform: "linux", which: () => "/usr/bin/bwrap", run: () => ({ ok: true, stderr: "" }), ...over });
  const error = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err as RaError;
    }
    throw new Error("expected an error");
  };

  test("bwrap missing: says how to install it", () => {
    const err = error(() => createSandbox(paths, deps({ which: () => null })));
    expect(err.message).toBe("--sandbox needs bubblewrap (bwrap), and it is not installed");
    expect(err.hint).toContain("apt-get install bubblewrap");
    expect(err.exitCode).toBe(78);
  });

  test("bwrap present but refused by the kernel: says so with bwrap's own words", async () => {
    await using dir = tmpDir();
    const home = join(dir.path, "home");
    const mine = sandboxPaths({ roots: [dir.path], home, hidden: [] });
    const err = error(() => createSandbox(mine, deps({ run: () => ({ ok: false, stderr: "bwrap: No permissions to creating new namespace\n" }) })));
    expect(err.message).toBe("bubblewrap cannot start a sandbox on this machine: bwrap: No permissions to creating new namespace");
    expect(err.hint).toContain("user namespaces");
    // claude's config is created (private) so that it can be bound writable.
    expect(statSync(join(home, ".claude")).mode & 0o777).toBe(0o700);
    expect(existsSync(join(home, ".claude.json"))).toBe(true);
  });

  test("an OS without a sandbox", () => {
    expect(error(() => createSandbox(paths, deps({ platform: "win32" }))).message).toBe("--sandbox is not available on win32");
  });

  test("macOS wraps claude in sandbox-exec with the profile", () => {
    const sandbox = createSandbox(paths, deps({ platform: "darwin", which: () => "/usr/bin/sandbox-exec" }));
    expect(sandbox.kind).toBe("sandbox-exec");
    expect(sandbox.wrap(["claude"])).toEqual(["/usr/bin/sandbox-exec", "-p", sandboxExecProfile(paths), "claude"]);
  });
});
