import { sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * Statements prepared the first time they run, then kept: an idle relay never pays for the
 * ones it does not use (each prepared query costs drizzle's builder and sqlite's program, about
 * 50 KiB), and a busy one prepares each once, as before.
 */
export function preparedOnUse<T extends Record<string, () => unknown>>(make: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const made = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(make) as (keyof T & string)[]) {
    Object.defineProperty(made, key, {
      configurable: true,
      enumerable: true,
      get() {
        const value = make[key]!() as ReturnType<T[typeof key]>;
        Object.defineProperty(made, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return made;
}

type Prepared = { run(values: Record<string, unknown>): unknown };

/**
 * An insert prepared once per set of columns its callers give (a few fixed sets), so drizzle
 * builds it and sqlite compiles it once rather than for every row (about 5% of the relay's CPU
 * per prompt in bench/inbound.ts). Values go in as bound placeholders, untouched by drizzle's
 * column mapping: only for tables of plain text and integer columns.
 */
export function preparedInsert<T extends SQLiteTable>(db: Db, table: T): (row: T["$inferInsert"]) => void {
  const byColumns = new Map<string, Prepared>();
  return (row) => {
    const values = row as Record<string, unknown>;
    const columns = Object.keys(values).filter((column) => values[column] !== undefined);
    const key = columns.join(",");
    let insert = byColumns.get(key);
    if (!insert) byColumns.set(key, (insert = db.insert(table).values(Object.fromEntries(columns.map((c) => [c, sql.placeholder(c)])) as never).prepare() as unknown as Prepared));
    insert.run(values);
  };
}
