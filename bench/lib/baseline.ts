// Starts one of the bare baselines (bench/lib/bare-*.ts) as its own process, as the relay runs, and
// waits for its "listening PORT" line.
import { join } from "node:path";

export async function startBaseline(script: string, args: string[] = []): Promise<{ port: number; proc: Bun.Subprocess; [Symbol.asyncDispose](): Promise<void> }> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, script), ...args], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let banner = "";
  while (!/listening \d+/.test(banner)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the baseline ${script} exited before listening`);
    banner += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    port: Number(banner.match(/listening (\d+)/)![1]),
    proc,
    async [Symbol.asyncDispose]() {
      proc.kill();
      await proc.exited;
    },
  };
}
