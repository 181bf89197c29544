// The Postgres schema mirrors the bun:sqlite one, and its embedded migrations build it on a real server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { getTableConfig as pgConfig, type PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { eq } from "drizzle-orm";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as sqliteSchema from "../../src/relay/db/schema";
import * as pgSchema from "../../src/relay/db/pg/schema";
import { openPg, safeUrl } from "../../src/relay/db/pg/client";
import { RaError } from "../../src/errors";
import { freePort } from "../helpers/free-port";
import { startPostgres } from "../helpers/real-servers";

type Shape = { columns: string[]; indexes: string[]; primary: string[] };
const shape = (columns: { name: string; notNull: boolean; hasDefault: boolean; primary: boolean }[], indexes: { config: { name?: string; unique: boolean; columns: unknown[] } }[]): Shape => ({
  // A primary key's default differs by dialect (sqlite's rowid, Postgres' serial), so it is not compared.
  columns: columns.map((c) => `${c.name}${c.notNull ? " not null" : ""}${c.hasDefault && !c.primary ? " default" : ""}`).sort(),
  primary: columns.filter((c) => c.primary).map((c) => c.name),
  indexes: indexes.map((i) => `${i.config.unique ? "unique " : ""}${i.config.name} (${i.config.columns.map((c) => (c as { name: string }).name).join(", ")})`).sort(),
});

/** How many migrations drizzle-kit wrote for Postgres: each is applied once. */
const PG_MIGRATIONS = (JSON.parse(readFileSync(join(import.meta.dir, "../../drizzle-pg/meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

describe("Postgres schema", () => {
  test("every table and column of the sqlite schema, with the same names, nullability, defaults and indexes", () => {
    const sqliteTables = Object.values(sqliteSchema).map((t) => sqliteConfig(t as SQLiteTable));
    const pgTables = new Map(Object.values(pgSchema).filter((t) => typeof t === "object").map((t) => pgConfig(t as PgTable)).map((c) => [c.name, c]));
    expect([...pgTables.keys()].sort()).toEqual(sqliteTables.map((t) => t.name).sort());
    for (const table of sqliteTables) {
      const pg = pgTables.get(table.name)!;
      expect({ table: pg.name, ...shape(pg.columns, pg.indexes) }).toEqual({ table: table.name, ...shape(table.columns, table.indexes) });
    }
  });

  let pg: Awaited<ReturnType<typeof startPostgres>>;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg[Symbol.asyncDispose]();
  });

  test("the embedded migrations build it; Telegram ids and ms times round-trip as numbers; starting again changes nothing", async () => {
    const url = await pg.createDatabase("schema_roundtrip");
    const db = await openPg(url);
    const chatId = -1001234567890123;
    const at = Date.now();
    await db.insert(pgSchema.sessions).values({ id: "s1", deviceId: "d1", chatId, createdAt: at });
    await db.insert(pgSchema.audit).values({ at, deviceId: "d1", sessionId: "s1", toolName: "Bash", inputDigest: "x", answer: "allow", latencyMs: 3, approvalId: "a1" });
    const [row] = await db.select().from(pgSchema.sessions).where(eq(pgSchema.sessions.id, "s1"));
    expect(row).toMatchObject({ chatId, createdAt: at, mode: "default", lastSeq: -1, closedAt: null });
    const [audit] = await db.select().from(pgSchema.audit);
    expect(audit!.id).toBe(1);
    await db.$client.close();

    // Two relays starting at once on the same database: both come up, the tables are made once.
    const [a, b] = await Promise.all([openPg(url), openPg(url)]);
    const applied = await a.$client`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(applied[0].n).toBe(PG_MIGRATIONS);
    expect((await b.select().from(pgSchema.sessions)).length).toBe(1);
    await a.$client.close();
    await b.$client.close();
  });

  test("unreachable: a clear error with exit 69 that never shows the password", async () => {
    const url = `postgres://ra:hunter2@127.0.0.1:${freePort()}/ra`;
    const error = await openPg(url, 2000).catch((e) => e);
    expect(error).toBeInstanceOf(RaError);
    expect((error as RaError).exitCode).toBe(69);
    expect((error as RaError).message).toContain("cannot reach the database postgres://ra:***@127.0.0.1");
    expect((error as RaError).message).not.toContain("hunter2");
    expect((error as RaError).hint).toContain("RA_DATABASE_URL");
    expect(safeUrl("not a url")).toBe("(not a valid URL)");
  });
});
