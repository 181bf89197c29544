/**
 * Running the real `claude` CLI in tests: its path in this repo, an environment that points it at
 * a fake model API on loopback with a throw-away HOME, scratch working directories, and an event
 * recorder for runner sessions whose waits are driven by events (and fail fast on `exit`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { RunnerEvent, RunnerSession } from "../../src/runner/types";

export const REPO_ROOT = resolve(import.meta.dir, "..", "..");
/** The pinned CLI (`@anthropic-ai/claude-code` in devDependencies). */
export const CLAUDE_BIN = join(REPO_ROOT, "node_modules", ".bin", "claude");

export interface ClaudeTestEnv {
  /** The child environment: nothing from the developer's own env except PATH. */
  env: Record<string, string>;
  home: string;
  /** A new empty directory to run claude in; removed with the env. */
  makeWorkdir(): string;
  [Symbol.dispose](): void;
}

export function createClaudeEnv(modelApiUrl: string): ClaudeTestEnv {
  const dirs: string[] = [];
  const makeDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const home = makeDir("ra-claude-home-");
  return {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      ANTHROPIC_BASE_URL: modelApiUrl,
      ANTHROPIC_API_KEY: "sk-test",
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    },
    home,
    makeWorkdir: () => makeDir("ra-claude-cwd-"),
    [Symbol.dispose]() {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Kind = RunnerEvent["kind"];
type EventOf<K extends Kind> = Extract<RunnerEvent, { kind: K }>;

export interface EventRecorder {
  readonly events: RunnerEvent[];
  /** Events of one kind, in order. */
  of<K extends Kind>(kind: K): EventOf<K>[];
  /** Resolves with the n-th (1-based) event of `kind`; rejects if the session exits first. */
  nth<K extends Kind>(kind: K, n: number): Promise<EventOf<K>>;
}

export function recordEvents(session: RunnerSession): EventRecorder {
  const events: RunnerEvent[] = [];
  const waiters = new Set<() => void>();
  session.onEvent((event) => {
    events.push(event);
    for (const check of [...waiters]) check();
  });
  const of = <K extends Kind>(kind: K) => events.filter((e): e is EventOf<K> => e.kind === kind);
  return {
    events,
    of,
    nth<K extends Kind>(kind: K, n: number) {
      return new Promise<EventOf<K>>((resolvePromise, reject) => {
        const check = () => {
          const found = of(kind)[n - 1];
          if (found) {
            waiters.delete(check);
            return resolvePromise(found);
          }
          const exit = of("exit")[0];
          if (exit) {
            waiters.delete(check);
            reject(new Error(`session exited (code ${exit.code}) before ${kind} #${n}; stderr: ${exit.stderrTail}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
