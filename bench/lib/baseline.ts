// Starts a helper of a bench (a bare baseline, bench/lib/bare-*.ts, or the idle fleet) as its own
// process, as the relay runs, and waits for the line that says it is ready.
import { join } from "node:path";

type Helper = { proc: Bun.Subprocess; match: RegExpMatchArray; [Symbol.asyncDispose](): Promise<void> };

export async function startHelper(script: string, args: string[], ready: RegExp): Promise<Helper> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, script), ...args], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let banner = "";
  let match: RegExpMatchArray | null = null;
  while (!(match = banner.match(ready))) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited before it was ready`);
    banner += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    proc,
    match,
    async [Symbol.asyncDispose]() {
      proc.kill();
      await proc.exited;
    },
  };
}

/** A bare baseline: ready once it prints "listening PORT". */
export async function startBaseline(script: string, args: string[] = []): Promise<Helper & { port: number }> {
  const helper = await startHelper(script, args, /listening (\d+)/);
  return Object.assign(helper, { port: Number(helper.match[1]) });
}
