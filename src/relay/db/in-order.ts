import type { Session, Turn } from "../store/types";

// The hot queries ask sqlite for a few rows by index and put them in order here: in this sqlite an
// ORDER BY or a subquery costs a relay more than the lookup itself (about 20–70 µs against 2–10
// per query, measured in `ra serve` during bench/inbound.ts), and a session has few such rows.

/** Oldest first; rows created in the same millisecond keep the order the index gave them. */
export function oldestFirst(rows: Turn[]): Turn[] {
  return rows.sort((a, b) => a.createdAt - b.createdAt);
}

/** The newest session: created last, then the highest number. */
export function newestSession(rows: Session[]): Session | undefined {
  let newest: Session | undefined;
  for (const row of rows) if (!newest || row.createdAt > newest.createdAt || (row.createdAt === newest.createdAt && row.number > newest.number)) newest = row;
  return newest;
}
