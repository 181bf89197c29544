/** Time and size limits of the claude runner, named so tests and the agent can tune them. */
export interface RunnerLimits {
  /** How much of the child's stderr is kept for the `exit` event. */
  stderrTailBytes: number;
  /** interrupt() resolves after this long even if claude never acknowledges. */
  interruptAckMs: number;
  /** close(): after ending stdin, wait this long for a clean exit before SIGTERM. */
  closeGraceMs: number;
  /** close(): after SIGTERM, wait this long before SIGKILL. */
  killGraceMs: number;
  /** After the child exits, wait this long for its pipes to drain (a leftover grandchild may hold them open). */
  drainGraceMs: number;
}

export const DEFAULT_LIMITS: RunnerLimits = {
  stderrTailBytes: 4096,
  interruptAckMs: 5000,
  closeGraceMs: 2000,
  killGraceMs: 3000,
  drainGraceMs: 1000,
};
