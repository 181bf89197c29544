import type { Store, SyncStore } from "./types";
import type { SyncWebStore, WebStore } from "./web";

/**
 * A synchronous store (bun:sqlite) behind the Store interface: the same answers, as promises that
 * are already settled. `afterCommit` keeps its own timing (at once when nothing waits).
 */
export function asyncStore(store: SyncStore): Store {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== "function" || key === "transaction") continue;
    if (key === "afterCommit" || key === "committed") {
      out[key] = (value as (...a: unknown[]) => unknown).bind(store);
      continue;
    }
    out[key] = (...args: unknown[]) => {
      try {
        return Promise.resolve((value as (...a: unknown[]) => unknown).apply(store, args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  return out as Store;
}

/** The same for the web app's store. */
export function asyncWebStore(store: SyncWebStore): WebStore {
  return asyncStore(store as unknown as SyncStore) as unknown as WebStore;
}
