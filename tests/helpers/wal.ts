import { existsSync, readFileSync } from "node:fs";

/**
 * How many transactions sqlite has committed into the write-ahead log `${dbPath}-wal` (its commit
 * frames of the current generation). Under synchronous=FULL each one is one fsync. Only meaningful
 * while no checkpoint restarts the log (a test writes far less than the 1000-page autocheckpoint).
 */
export function walCommits(dbPath: string): number {
  const path = `${dbPath}-wal`;
  if (!existsSync(path)) return 0;
  const wal = readFileSync(path);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break; // frames of an older generation
    if (wal.readUInt32BE(at + 4) !== 0) commits++; // "size of the database after the commit": set on commit frames only
  }
  return commits;
}
