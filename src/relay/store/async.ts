import type { Store } from "./types";
import type { WebStore } from "./web";

type Answers<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

/**
 * The relay's state as a shared database serves it (Postgres, several relays at once): the same
 * methods as Store and WebStore, each answering with a promise. A write is durable once its
 * promise resolved; `committed` waits for every write started so far. There are no multi-step
 * transactions: whatever must happen at most once is one conditional statement (`moveInvite`,
 * `decideApproval`, `receiveUpdate` answer whether they did it).
 */
export type AsyncStore = Answers<Omit<Store, "transaction" | "afterCommit" | "committed">> & {
  committed(): Promise<void>;
};

export type AsyncWebStore = Answers<WebStore>;

/** A synchronous store (bun:sqlite) behind the AsyncStore interface: same answers, as promises. */
export function asyncStore(store: Store): AsyncStore {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== "function" || key === "transaction" || key === "afterCommit") continue;
    out[key] = (...args: unknown[]) => {
      try {
        return Promise.resolve((value as (...a: unknown[]) => unknown).apply(store, args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  return out as AsyncStore;
}

/** The same for the web app's store. */
export function asyncWebStore(store: WebStore): AsyncWebStore {
  return asyncStore(store as unknown as Store) as unknown as AsyncWebStore;
}
