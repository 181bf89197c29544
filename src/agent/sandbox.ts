/**
 * `ra agent --sandbox`: claude (and so every command its Bash tool runs) is started inside an OS
 * sandbox where only the roots and claude's own config are writable. The path checks in
 * policy.ts cannot see what a shell command touches; the sandbox can. Reads stay possible
 * everywhere except the folders hidden here (the agent's token and data).
 *
 * Linux: bubblewrap (`bwrap`): the whole file system read-only, a private /tmp, writable binds
 * for the roots and claude's config. macOS: `sandbox-exec` with a generated profile.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ExitCode, RaError } from "../errors";

export type SandboxPaths = {
  /** Folders claude must be able to read although they are under the private /tmp: its own install. */
  readable: string[];
  /** Folders (and files) claude may write: the roots and its own config. */
  writable: string[];
  /** Folders claude must not even read (the device token, the agent's data). */
  hidden: string[];
};

export type SandboxInput = {
  roots: readonly string[];
  home: string;
  /** CLAUDE_CONFIG_DIR, when set. */
  claudeConfigDir?: string;
  hidden: readonly string[];
  /** The claude executable: its folder (and, through a symlink, its package's) stay visible under /tmp. */
  executable?: string;
};

export function sandboxPaths(i: SandboxInput): SandboxPaths {
  const claudeDir = i.claudeConfigDir ?? join(i.home, ".claude");
  const claudeFiles = i.claudeConfigDir ? [] : [join(i.home, ".claude.json")];
  const install = i.executable ? [dirname(i.executable), dirname(realpathOr(i.executable))] : [];
  const underTmp = [...new Set(install)].filter((dir) => dir === "/tmp" || dir.startsWith("/tmp/"));
  return { readable: underTmp, writable: [...i.roots, claudeDir, ...claudeFiles], hidden: [...i.hidden] };
}

/** bwrap's arguments in front of claude's argv. Binds are applied in order: later ones win. */
export function bwrapArgv(paths: SandboxPaths, argv: readonly string[], bwrap = "bwrap"): string[] {
  return [
    bwrap,
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
    ...paths.readable.flatMap((p) => ["--ro-bind", p, p]),
    ...paths.writable.flatMap((p) => ["--bind", p, p]),
    ...paths.hidden.flatMap((p) => ["--tmpfs", p]),
    "--unshare-pid",
    "--die-with-parent",
    "--",
    ...argv,
  ];
}

const quote = (path: string) => JSON.stringify(path);
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A sandbox-exec (SBPL) profile: everything allowed except writing outside `writable` and temp folders, and reading `hidden`. */
export function sandboxExecProfile(paths: SandboxPaths): string {
  const writable = paths.writable.map((p) =>
    p.endsWith(".json") ? `(regex #"^${escapeRegex(p)}")` : `(subpath ${quote(p)})`,
  );
  return [
    "(version 1)",
    "(allow default)",
    "(deny file-write*)",
    `(allow file-write* ${[...writable, '(subpath "/private/tmp")', '(subpath "/private/var/folders")', '(literal "/dev/null")', '(literal "/dev/tty")', '(regex #"^/dev/fd/")'].join(" ")})`,
    ...paths.hidden.map((p) => `(deny file-read* file-write* (subpath ${quote(p)}))`),
    "",
  ].join("\n");
}

export type SandboxDeps = {
  platform: NodeJS.Platform;
  /** Finds an executable on PATH (Bun.which). */
  which(name: string): string | null;
  /** Runs a command and says whether it exited 0, with its stderr. */
  run(argv: string[]): { ok: boolean; stderr: string };
};

/**
 * The argv wrapper for this OS, after checking that the sandbox really starts here; a clear
 * error when it cannot (not installed, user namespaces switched off, unsupported OS).
 */
export function createSandbox(paths: SandboxPaths, deps: SandboxDeps): { kind: "bwrap" | "sandbox-exec"; wrap(argv: string[]): string[] } {
  if (deps.platform === "linux") {
    const bwrap = deps.which("bwrap");
    if (!bwrap) {
      throw new RaError("sandbox_missing", "--sandbox needs bubblewrap (bwrap), and it is not installed", {
        hint: "install it: apt-get install bubblewrap (Debian, Ubuntu, Raspberry Pi OS) or dnf install bubblewrap (Fedora); or run without --sandbox",
        exitCode: ExitCode.config,
      });
    }
    prepareWritable(paths);
    const probe = deps.run(bwrapArgv(paths, ["true"], bwrap));
    if (!probe.ok) {
      throw new RaError("sandbox_failed", `bubblewrap cannot start a sandbox on this machine: ${probe.stderr.trim() || "it failed"}`, {
        hint: "bwrap needs user namespaces (sysctl kernel.unprivileged_userns_clone=1, or a setuid bwrap); or run without --sandbox",
        exitCode: ExitCode.config,
      });
    }
    return { kind: "bwrap", wrap: (argv) => bwrapArgv(paths, argv, bwrap) };
  }
  if (deps.platform === "darwin") {
    const exec = deps.which("sandbox-exec") ?? "/usr/bin/sandbox-exec";
    const profile = sandboxExecProfile(paths);
    const probe = deps.run([exec, "-p", profile, "/usr/bin/true"]);
    if (!probe.ok) {
      throw new RaError("sandbox_failed", `sandbox-exec cannot start a sandbox: ${probe.stderr.trim() || "it failed"}`, { hint: "run without --sandbox", exitCode: ExitCode.config });
    }
    return { kind: "sandbox-exec", wrap: (argv) => [exec, "-p", profile, ...argv] };
  }
  throw new RaError("sandbox_unsupported", `--sandbox is not available on ${deps.platform}`, {
    hint: "it works on Linux (bubblewrap) and macOS (sandbox-exec); run without --sandbox",
    exitCode: ExitCode.usage,
  });
}

/** bwrap binds only what exists: claude's config folder and file are created empty when missing. */
function prepareWritable(paths: SandboxPaths): void {
  for (const p of paths.writable) {
    if (existsSync(p)) continue;
    if (p.endsWith(".json")) writeFileSync(p, "{}\n", { mode: 0o600 });
    else mkdirSync(p, { recursive: true, mode: 0o700 });
  }
}

export const systemSandboxDeps: SandboxDeps = {
  platform: process.platform,
  which: (name) => Bun.which(name),
  run(argv) {
    try {
      const result = Bun.spawnSync(argv, { stdout: "ignore", stderr: "pipe" });
      return { ok: result.exitCode === 0, stderr: result.stderr.toString() };
    } catch (err) {
      return { ok: false, stderr: (err as Error).message };
    }
  },
};

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
