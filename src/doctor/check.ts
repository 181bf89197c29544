/** One doctor finding: ok, warn (works, but worth fixing) or fail (ra will not work), with the fix. */
import { formatError, RaError } from "../errors";

export type CheckStatus = "ok" | "warn" | "fail";

export interface CheckResult {
  /** Short name shown in the first column ("claude", "relay", "bot token"). */
  check: string;
  status: CheckStatus;
  message: string;
  /** What to do, exactly (a command to run when there is one). */
  fix?: string;
}

export const ok = (check: string, message: string): CheckResult => ({ check, status: "ok", message });
export const warn = (check: string, message: string, fix?: string): CheckResult => ({ check, status: "warn", message, fix });
export const fail = (check: string, message: string, fix?: string): CheckResult => ({ check, status: "fail", message, fix });

/** A RaError's message and hint become a failed check. */
export function failFrom(check: string, err: unknown): CheckResult {
  if (err instanceof RaError) return fail(check, err.message, err.hint);
  return fail(check, formatError(err));
}

const MARK: Record<CheckStatus, string> = { ok: "✔", warn: "⚠", fail: "✖" };

/** Wide enough for every check name, so the lines printed one by one still line up. */
const WIDTH = 12;

export function formatReport(results: CheckResult[]): string {
  const width = Math.max(WIDTH, ...results.map((r) => r.check.length));
  return results
    .map((r) => {
      const head = `${MARK[r.status]} ${r.check.padEnd(width)}  ${r.message}`;
      return r.fix ? `${head}\n  ${" ".repeat(width)}  → ${r.fix}` : head;
    })
    .join("\n");
}
