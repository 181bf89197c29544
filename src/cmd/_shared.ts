import { ExitCode, FINAL_EXITS, formatError, RaError } from "../errors";

export { usage } from "../options/define";

/** The one place errors become output and exit codes. Commands throw; this reports. */
export async function guard(fn: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`✖ ${formatError(err)}\n`);
    process.exitCode = err instanceof RaError ? err.exitCode : ExitCode.failure;
    // launchd can only be told "do not respawn after a clean exit" (service/launchd-plist.ts).
    if (process.env.RA_SUPERVISOR === "launchd" && FINAL_EXITS.includes(process.exitCode)) process.exitCode = ExitCode.ok;
  }
}

/** A person is at the keyboard (prompts are possible); false in CI, pipes and services. */
export const canPrompt = () => Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI;

/** Resolves on the first SIGINT/SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}
