/**
 * The Claude runner: turns RunnerSessionOptions into a spawned `claude` (argv from
 * claude-argv.ts, process from the Spawner seam) driven by a claude-session.
 */
import { RaError } from "../errors";
import { buildClaudeArgv } from "./claude-argv";
import { startClaudeSession } from "./claude-session";
import { DEFAULT_LIMITS, type RunnerLimits } from "./limits";
import { denyAllPermissions, type PermissionHandler } from "./permission";
import { bunSpawner, type Spawner } from "./spawn";
import type { Runner, RunnerSession, RunnerSessionOptions } from "./types";

export interface ClaudeRunnerDeps {
  /** Absolute path (or PATH name) of the claude executable. */
  claudePath: string;
  /** Defaults to the real Bun.spawn implementation. */
  spawner?: Spawner;
  /** Decides tool permission questions for sessions that bring no handler; defaults to deny-all. */
  onPermissionRequest?: PermissionHandler;
  limits?: Partial<RunnerLimits>;
  newId?: () => string;
  /** Passed to every claude as `--disallowedTools` (the machine's deny rules). */
  disallowedTools?: readonly string[];
  /** Wraps claude's command line, e.g. in a sandbox (bwrap, sandbox-exec). */
  wrapArgv?: (argv: string[]) => string[];
}

export interface ClaudeSessionOptions extends RunnerSessionOptions {
  /** This session's permission handler; overrides the runner's. */
  onPermissionRequest?: PermissionHandler;
}

export interface ClaudeRunner extends Runner {
  /** Spawns claude; throws RaError (mode_refused, unknown_session, spawn_failed) before any process exists. */
  start(options: ClaudeSessionOptions): RunnerSession;
}

export function createClaudeRunner(deps: ClaudeRunnerDeps): ClaudeRunner {
  const spawner = deps.spawner ?? bunSpawner;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  return {
    start(options) {
      const claudeArgv = buildClaudeArgv({ claudePath: deps.claudePath, mode: options.mode, resume: options.resume, disallowedTools: deps.disallowedTools });
      const argv = deps.wrapArgv ? deps.wrapArgv(claudeArgv) : claudeArgv;
      let child;
      try {
        child = spawner.spawn({ argv, cwd: options.cwd, env: options.env });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new RaError("spawn_failed", `Could not start claude (${deps.claudePath}): ${reason}`, {
          hint: "Check that Claude Code is installed and the configured claude path is right.",
          cause: err,
        });
      }
      return startClaudeSession({
        child,
        onPermissionRequest: options.onPermissionRequest ?? deps.onPermissionRequest ?? denyAllPermissions,
        limits,
        newId: deps.newId,
      });
    },
  };
}
