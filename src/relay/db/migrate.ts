import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { EmbeddedMigrations } from "./migrations.macro";

/**
 * Applies the embedded migrations with drizzle's public migrator: the files are laid out in a
 * private temporary folder exactly as drizzle-kit wrote them, migrated from, and removed.
 */
export function applyMigrations(db: BunSQLiteDatabase<Record<string, unknown>>, embedded: EmbeddedMigrations): void {
  withMigrationsFolder(embedded, (migrationsFolder) => migrate(db, { migrationsFolder }));
}

/** Lays the embedded files out as drizzle-kit wrote them in a private temporary folder for `use`, removed after. */
export function withMigrationsFolder<T>(embedded: EmbeddedMigrations, use: (folder: string) => T): T {
  const folder = mkdtempSync(join(tmpdir(), "ra-migrations-"));
  let sync = true;
  try {
    mkdirSync(join(folder, "meta"), { mode: 0o700 });
    writeFileSync(join(folder, "meta", "_journal.json"), embedded.journal);
    for (const [name, sql] of Object.entries(embedded.files)) writeFileSync(join(folder, name), sql);
    const result = use(folder);
    if (result instanceof Promise) {
      sync = false;
      return result.finally(() => rmSync(folder, { recursive: true, force: true })) as T;
    }
    return result;
  } finally {
    if (sync) rmSync(folder, { recursive: true, force: true });
  }
}
