/**
 * Every failure a user can cause is a RaError: a stable code, an exit code, a message that says
 * what happened, and a hint that says what to do. The CLI boundary (cmd/run.ts) is the only
 * place that turns these into output and an exit status.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The relay or the network is unreachable; retrying later may work. */
  unavailable: 69,
  /** Local files cannot be read or written (permissions, disk full). */
  ioError: 74,
  /** Configuration is missing or unsafe; a service manager must not restart-loop on it. */
  config: 78,
  /** The device was unpaired/revoked on the relay. Final: do not retry. */
  revoked: 77,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Exits that restarting cannot fix (wrong flags, revoked, bad config): service managers must not restart on them. */
export const FINAL_EXITS: number[] = [ExitCode.usage, ExitCode.revoked, ExitCode.config];

export class RaError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { hint?: string; exitCode?: ExitCode; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "RaError";
  }
  get exitCode(): ExitCode {
    return this.options.exitCode ?? ExitCode.failure;
  }
  get hint(): string | undefined {
    return this.options.hint;
  }
}

export function formatError(err: unknown): string {
  if (err instanceof RaError) return err.hint ? `${err.message}\n  → ${err.hint}` : err.message;
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}
