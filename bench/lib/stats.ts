// Summaries of measured durations, the same way in every bench.

/** The p-th percentile (0–100) of the values, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** "p50 1.2 s, p99 3.4 s, max 5.6 s" for durations in ms. */
export const secondsSummary = (ms: readonly number[]) =>
  `p50 ${(percentile(ms, 50) / 1000).toFixed(1)} s, p99 ${(percentile(ms, 99) / 1000).toFixed(1)} s, max ${(Math.max(...ms) / 1000).toFixed(1)} s`;
