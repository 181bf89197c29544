import { SQL } from "bun";
import { safeUrl } from "../relay/db/pg/client";
import { fail, ok, type CheckResult } from "./check";

/**
 * The Postgres a relay keeps its state in (ra serve --database): reachable with these credentials,
 * its version, and whether ra's tables are there yet (ra serve makes them at its first start).
 */
export async function checkDatabase(url: string, timeoutSeconds = 5): Promise<CheckResult> {
  const where = safeUrl(url);
  const client = new SQL(url, { max: 1, connectionTimeout: timeoutSeconds });
  try {
    const [row] = (await client`SHOW server_version`) as { server_version: string }[];
    const [tables] = (await client`SELECT to_regclass('public.devices') IS NOT NULL AS made`) as { made: boolean }[];
    const state = tables?.made ? "ra's tables are there" : "no tables yet: ra serve makes them at its first start";
    return ok("database", `Postgres ${row?.server_version ?? "(version unknown)"} at ${where}; ${state}`);
  } catch (err) {
    return fail("database", `cannot reach the database ${where}: ${(err as Error).message}`, "check that Postgres runs and that the URL's host, port, user, password and database are right (--database or RA_DATABASE_URL)");
  } finally {
    await client.close().catch(() => {});
  }
}
