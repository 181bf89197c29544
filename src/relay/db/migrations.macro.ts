// Runs at BUNDLE time only (imported `with { type: "macro" }`): inlines drizzle-kit's output so the
// compiled binary needs no migrations folder beside it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type EmbeddedMigration = { sql: string[]; bps: boolean; folderMillis: number; hash: string };

export function embedMigrations(): EmbeddedMigration[] {
  const dir = join(import.meta.dir, "..", "..", "..", "drizzle");
  const journal = JSON.parse(readFileSync(join(dir, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string; when: number; breakpoints: boolean }[];
  };
  return journal.entries.map((e) => {
    const query = readFileSync(join(dir, `${e.tag}.sql`), "utf8");
    return {
      sql: query.split("--> statement-breakpoint"),
      bps: e.breakpoints,
      folderMillis: e.when,
      hash: createHash("sha256").update(query).digest("hex"),
    };
  });
}
