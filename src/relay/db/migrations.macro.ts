// Runs at BUNDLE time only (imported `with { type: "macro" }`): inlines drizzle-kit's output so the
// compiled binary needs no migrations folder beside it.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** drizzle-kit's folder (`drizzle` for bun:sqlite, `drizzle-pg` for Postgres) as text: the journal and each migration's SQL, by file name. */
export type EmbeddedMigrations = { journal: string; files: Record<string, string> };

export function embedMigrations(folder = "drizzle"): EmbeddedMigrations {
  const dir = join(import.meta.dir, "..", "..", "..", folder);
  const journal = readFileSync(join(dir, "meta", "_journal.json"), "utf8");
  const { entries } = JSON.parse(journal) as { entries: { tag: string }[] };
  return { journal, files: Object.fromEntries(entries.map((e) => [`${e.tag}.sql`, readFileSync(join(dir, `${e.tag}.sql`), "utf8")])) };
}
