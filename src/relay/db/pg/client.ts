import { SQL } from "bun";
import { drizzle, type BunSQLDatabase } from "drizzle-orm/bun-sql";
import { migrate } from "drizzle-orm/bun-sql/migrator";
import { ExitCode, RaError } from "../../../errors";
import { withoutPassword } from "../../../without-password";
import { withMigrationsFolder } from "../migrate";
import { embedMigrations } from "../migrations.macro" with { type: "macro" };
import * as schema from "./schema";

const MIGRATIONS = embedMigrations("drizzle-pg");
/** Any constant works: every relay instance takes the same lock before it migrates. */
const MIGRATION_LOCK = 0x7261_0001;

export type PgDb = BunSQLDatabase<typeof schema> & { $client: SQL };

/**
 * Connects to Postgres (ra serve --database postgres://…), applies the embedded migrations under an
 * advisory lock (several relays may start at once) and returns drizzle. Unreachable or refused:
 * a clear error with exit 69, so a service manager retries later.
 */
export async function openPg(url: string, connectTimeoutMs = 10_000): Promise<PgDb> {
  const where = safeUrl(url);
  const client = new SQL(url, { max: 10, connectionTimeout: Math.ceil(connectTimeoutMs / 1000), idleTimeout: 60 });
  try {
    await client`select 1`;
  } catch (cause) {
    await client.close().catch(() => {});
    throw new RaError("database_unreachable", `cannot reach the database ${where}: ${(cause as Error).message}`, {
      hint: "check that Postgres runs and that the URL's host, port, user, password and database are right (--database or RA_DATABASE_URL)",
      exitCode: ExitCode.unavailable,
      cause,
    });
  }
  const db = drizzle({ client, schema }) as PgDb;
  try {
    const connection = await client.reserve();
    try {
      await connection`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await withMigrationsFolder(MIGRATIONS, (migrationsFolder) => migrate(drizzle({ client: connection as unknown as SQL }), { migrationsFolder }));
    } finally {
      await connection`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
      connection.release();
    }
  } catch (cause) {
    await client.close().catch(() => {});
    throw new RaError("db_migrate", `cannot migrate the database ${where}: ${(cause as Error).message}`, {
      hint: "the database user needs the right to create tables in it",
      exitCode: ExitCode.unavailable,
      cause,
    });
  }
  return db;
}

/** The URL without its password, for messages and logs. */
export const safeUrl = withoutPassword;
