import { join } from "node:path";
import type { Log } from "../log";
import { openDb } from "./db/client";
import { createRepo } from "./db/repo";
import { createWebRepo } from "./db/web-repo";
import { asyncStore, asyncWebStore } from "./store/async";
import type { Store } from "./store/types";
import type { WebStore } from "./store/web";

export type OpenedStore = {
  store: Store;
  web: WebStore;
  /** Where the state is, for the log (a database URL without its password). */
  where: string;
  /** Asks a database server whether it answers (none for the sqlite file, which cannot be lost). */
  ping?: () => Promise<unknown>;
  /** Commits what waits and closes the database. */
  close(): Promise<void>;
};

/**
 * The relay's state: the sqlite file in the data dir (the default), or Postgres with --database
 * (its client is loaded only then). An unreachable database is a clear error with exit 69.
 */
export async function openStore(config: { dataDir: string; databaseUrl?: string }, log: Log): Promise<OpenedStore> {
  if (config.databaseUrl) {
    const { openPg, safeUrl } = await import("./db/pg/client");
    const { createPgRepo } = await import("./db/pg/repo");
    const { createPgWebRepo } = await import("./db/pg/web-repo");
    const db = await openPg(config.databaseUrl);
    const store = createPgRepo(db);
    return {
      store,
      web: createPgWebRepo(db),
      where: safeUrl(config.databaseUrl),
      ping: () => db.$client`SELECT 1`,
      close: async () => {
        await store.committed().catch(() => {});
        await db.$client.close();
      },
    };
  }
  const path = join(config.dataDir, "relay.db");
  const db = openDb(path);
  const sqlite = createRepo(db, { report: (err) => log.error(`a database commit failed; its writes were rolled back and nothing of them acknowledged: ${(err as Error)?.message ?? err}`) });
  return {
    store: asyncStore(sqlite),
    web: asyncWebStore(createWebRepo(db)),
    where: path,
    close: async () => {
      sqlite.flush();
      db.$client.close();
    },
  };
}
