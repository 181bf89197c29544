import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { ExitCode, RaError } from "../../errors";
import { applyMigrations } from "./migrate";
import { embedMigrations } from "./migrations.macro" with { type: "macro" };
import * as schema from "./schema";

const MIGRATIONS = embedMigrations();

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/**
 * Opens (or creates) the relay's database, applies the embedded migrations and returns drizzle.
 * An unreadable or corrupt file is an error, never silently replaced by a fresh install.
 */
export function openDb(path: string): Db {
  let sqlite: Database;
  try {
    // Created private: sqlite gives the -wal and -shm files the database file's mode.
    if (!existsSync(path)) writeFileSync(path, "", { mode: 0o600, flag: "wx" });
    sqlite = new Database(path, { create: true, strict: true });
    sqlite.exec("PRAGMA journal_mode = WAL");
    // Commits do not wait for the disk here: the store fsyncs the log after each group commit on
    // another thread, and nothing acknowledged leaves before that (db/group-commit.ts, wal-sync.ts).
    sqlite.exec("PRAGMA synchronous = NORMAL");
    sqlite.exec("PRAGMA foreign_keys = ON");
    sqlite.exec("PRAGMA busy_timeout = 5000");
    const check = sqlite.query("PRAGMA quick_check").get() as { quick_check: string } | null;
    if (check?.quick_check !== "ok") throw new Error(`integrity check failed: ${check?.quick_check ?? "no answer"}`);
  } catch (cause) {
    throw new RaError("db_open", `cannot open the database ${path}: ${(cause as Error).message}`, {
      hint: "check the file's permissions and free disk space; if the file is corrupt, restore it from a backup (ra never replaces it)",
      exitCode: ExitCode.ioError,
      cause,
    });
  }
  const db = drizzle({ client: sqlite, schema }) as Db;
  try {
    applyMigrations(db, MIGRATIONS);
  } catch (cause) {
    sqlite.close();
    throw new RaError("db_migrate", `cannot migrate the database ${path}: ${(cause as Error).message}`, {
      hint: "the data directory must be writable and have free space",
      exitCode: ExitCode.ioError,
      cause,
    });
  }
  return db;
}
