/**
 * The command seam under the real service managers: run a command and collect its output, or hand
 * it the terminal (`journalctl -f`, `tail -F`). Tests give the managers a scripted Exec instead.
 */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Exec {
  run(argv: string[]): Promise<ExecResult>;
  /** Runs with this process's stdin/stdout/stderr until it exits (or the user presses Ctrl-C). */
  attach(argv: string[]): Promise<number>;
  /** Absolute path of a command on PATH, or null. */
  which(command: string): string | null;
}

export const bunExec: Exec = {
  async run(argv) {
    const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  },
  async attach(argv) {
    const proc = Bun.spawn(argv, { stdin: "inherit", stdout: "inherit", stderr: "inherit" });
    // Ctrl-C reaches the child too (same process group); ra just waits for it to end.
    const ignore = () => {};
    process.on("SIGINT", ignore);
    try {
      return await proc.exited;
    } finally {
      process.off("SIGINT", ignore);
    }
  },
  which: (command) => Bun.which(command),
};
