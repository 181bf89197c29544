/**
 * The process seam: everything the runner needs from a child process, and the one real
 * implementation over `Bun.spawn` (the only spawn call in src). The child gets its own process
 * group (`detached`), because claude starts tools (bash, language servers) that must die with it:
 * signals go to the whole group, never just the pid.
 */

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface ChildExit {
  code: number | null;
  signal: string | null;
}

export interface ChildProcess {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** Writes and flushes text; returns false when the pipe is gone (the child exited). */
  write(text: string): boolean;
  /** Closes stdin (idempotent). */
  endInput(): void;
  /** Signals the child's whole process group; false when nothing was there to signal. */
  signalGroup(signal: NodeJS.Signals): boolean;
  /** Resolves once the child has exited and been reaped. */
  readonly exited: Promise<ChildExit>;
}

export interface Spawner {
  /** Starts a child; throws if the executable cannot be started. */
  spawn(request: SpawnRequest): ChildProcess;
}

export const bunSpawner: Spawner = {
  spawn({ argv, cwd, env }) {
    const proc = Bun.spawn(argv, { cwd, env, stdin: "pipe", stdout: "pipe", stderr: "pipe", detached: true });
    let inputOpen = true;
    const exited = proc.exited.then((): ChildExit => {
      const signal = proc.signalCode === null ? null : String(proc.signalCode);
      return { code: signal ? null : proc.exitCode, signal };
    });
    return {
      pid: proc.pid,
      stdout: proc.stdout,
      stderr: proc.stderr,
      exited,
      write(text) {
        if (!inputOpen) return false;
        try {
          proc.stdin.write(text);
          // flush() may return a promise that rejects (EPIPE) once the child is gone.
          void Promise.resolve(proc.stdin.flush()).catch(() => {
            inputOpen = false;
          });
          return true;
        } catch {
          inputOpen = false;
          return false;
        }
      },
      endInput() {
        if (!inputOpen) return;
        inputOpen = false;
        try {
          void Promise.resolve(proc.stdin.end()).catch(() => {});
        } catch {
          // already closed by the child's exit
        }
      },
      signalGroup(signal) {
        try {
          process.kill(-proc.pid, signal);
          return true;
        } catch {
          // No group (already gone) or not ours: fall back to the pid while it is still our child.
          if (proc.exitCode !== null || proc.signalCode !== null) return false;
          try {
            proc.kill(signal);
            return true;
          } catch {
            return false;
          }
        }
      },
    };
  },
};
