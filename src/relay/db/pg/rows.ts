import { sql } from "drizzle-orm";

/** The one row a query limited to one answers, if any. */
export const first = <T>(rows: T[]): T | undefined => rows[0];

/** Postgres answers count(*) and max() of a bigint as text: read as numbers. */
export const int = (expr: ReturnType<typeof sql>) => expr.mapWith(Number);
