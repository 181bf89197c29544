import { RA_BINARY } from "./ra-process";

// Cursor moves, colours and other CSI/OSC sequences clack draws with.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]/g;

/**
 * `dist/ra` in a real pseudo-terminal, as a person runs it: the prompts are drawn on the screen
 * and answered by typing. Waits resolve on what the screen shows (colour codes stripped).
 */
export class PtyProcess {
  private raw = "";
  private waiters: (() => void)[] = [];
  readonly proc: ReturnType<typeof Bun.spawn>;

  constructor(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}) {
    this.proc = Bun.spawn([RA_BINARY, ...args], {
      cwd: options.cwd,
      // No CI variable: ra treats CI as "nobody is there to answer".
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: "xterm-256color", ...options.env } as Record<string, string>,
      terminal: {
        cols: 120,
        rows: 40,
        data: (_terminal, data) => {
          this.raw += new TextDecoder().decode(data);
          for (const wake of this.waiters.splice(0)) wake();
        },
      },
    });
    void this.proc.exited.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** What the terminal showed so far, without escape sequences. */
  get output(): string {
    return this.raw.replace(ANSI, "");
  }

  type(text: string): void {
    this.proc.terminal!.write(text);
  }

  async waitFor(pattern: RegExp, what = pattern.source, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.proc.exitCode !== null) throw new Error(`ra exited (${this.proc.exitCode}) before showing ${what}.\n--- screen ---\n${this.output}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}\n--- screen ---\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async exitCode(): Promise<number> {
    return (await this.proc.exited) ?? -1;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
    await this.proc.exited;
    this.proc.terminal?.close();
  }
}
