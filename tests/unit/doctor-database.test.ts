// `ra doctor --serve` with a database: the check against a real Postgres, before and after ra made
// its tables, and against one that is not there (the password never shown).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openPg } from "../../src/relay/db/pg/client";
import { checkDatabase } from "../../src/doctor/database";
import { freePort } from "../helpers/free-port";
import { startPostgres } from "../helpers/real-servers";

let pg: Awaited<ReturnType<typeof startPostgres>>;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.[Symbol.asyncDispose]();
});

describe("the database check", () => {
  test("reachable: its version, and whether ra's tables are made yet", async () => {
    const url = await pg.createDatabase("doctor");
    const before = await checkDatabase(url);
    expect(before).toMatchObject({ check: "database", status: "ok" });
    expect(before.message).toMatch(/^Postgres \d+\.\d+.* at postgres:\/\/.*; no tables yet: ra serve makes them at its first start$/);
    const db = await openPg(url);
    await db.$client.close();
    expect((await checkDatabase(url)).message).toEndWith("; ra's tables are there");
  });

  test("unreachable: failed, saying what to check, with the password masked", async () => {
    const result = await checkDatabase(`postgres://ra:hunter2secret@127.0.0.1:${freePort()}/ra`, 2);
    expect(result.status).toBe("fail");
    expect(result.message).toContain("cannot reach the database postgres://ra:***@127.0.0.1:");
    expect(JSON.stringify(result)).not.toContain("hunter2secret");
    expect(result.fix).toContain("--database or RA_DATABASE_URL");
  });
});
