import { resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "..", "..");
export const RA_BINARY = resolve(REPO_ROOT, "dist", "ra");

type Waiter = { test: () => boolean; resolve: () => void };

/**
 * A running `dist/ra` process whose stdout/stderr are collected, with waits that resolve on the
 * output itself (no sleeping): `await proc.waitFor(/connected/)`.
 */
export class RaProcess {
  stdout = "";
  stderr = "";
  readonly proc: ReturnType<typeof Bun.spawn>;
  private waiters: Waiter[] = [];
  private closed = false;

  constructor(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}) {
    this.proc = Bun.spawn([RA_BINARY, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", CI: "true", ...options.env } as Record<string, string>,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    void this.pump(this.proc.stdout as ReadableStream<Uint8Array>, "stdout");
    void this.pump(this.proc.stderr as ReadableStream<Uint8Array>, "stderr");
    void this.proc.exited.then(() => {
      this.closed = true;
      this.check();
    });
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Waits until the combined output matches; returns the match. Fails fast if the process exits. */
  async waitFor(pattern: RegExp, what = pattern.source, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    let match: RegExpMatchArray | null = null;
    const test = () => (match = this.output.match(pattern)) !== null || this.closed;
    await this.until(test, () => `timed out waiting for ${what}`, timeoutMs);
    if (!match) throw new Error(`ra exited (${this.proc.exitCode}) before printing ${what}.\n--- output ---\n${this.output}`);
    return match;
  }

  async exitCode(): Promise<number> {
    return (await this.proc.exited) ?? -1;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (!this.closed) this.proc.kill(signal);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), 10_000);
    await this.proc.exited;
    clearTimeout(timer);
  }

  private until(test: () => boolean, message: () => string, timeoutMs: number): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${message()}\n--- output ---\n${this.output}`));
      }, timeoutMs);
      const waiter: Waiter = { test, resolve: () => (clearTimeout(timer), resolve()) };
      this.waiters.push(waiter);
    });
  }

  private check(): void {
    for (const w of [...this.waiters]) {
      if (!w.test()) continue;
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve();
    }
  }

  private async pump(stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr"): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this[into] += decoder.decode(chunk, { stream: true });
      this.check();
    }
  }
}
