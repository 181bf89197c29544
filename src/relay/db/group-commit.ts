import type { Database } from "bun:sqlite";

type Waiter = { committed(): void; failed(err: unknown): void };
type Syncing = { waiters: Waiter[]; done: boolean; err?: unknown };

/** Runs `fn` once the current turn of the event loop is over (after its I/O callbacks). */
export type Defer = (fn: () => void) => void;
/** Makes what was committed so far durable (fsync), off the event loop; calls `done` when it is. */
export type Sync = (done: (err?: unknown) => void) => void;

/**
 * Group commit: everything the relay writes during one turn of the event loop goes into one
 * transaction, committed when that turn is over. Whatever must only leave the relay once it is
 * durable (an ack, a prompt frame, a device token) waits with `afterCommit`: for the commit and,
 * with a `sync`, for the fsync that follows it on another thread (so the event loop never waits
 * on the disk). If either fails, those wait no more: their `failed` runs and nothing is acknowledged.
 */
export class GroupCommit {
  private waiting: Waiter[] = [];
  private open = false;
  /** Committed batches whose fsync runs, oldest first: their waiters go in that order. */
  private syncing: Syncing[] = [];
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(
    private readonly db: Database,
    private readonly report: (err: unknown) => void,
    private readonly defer: Defer = setImmediate,
    private readonly sync?: Sync,
  ) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
  }

  /** Runs one write in the open batch (opening one when none is). */
  write<T>(fn: () => T): T {
    // sqlite rolls a transaction back on its own after some errors (disk full, I/O): that batch failed.
    if (this.open && !this.db.inTransaction) this.fail(new Error("sqlite rolled the transaction back after an error"));
    if (!this.open) {
      this.begin.run();
      this.open = true;
      this.defer(() => this.flush());
    }
    return fn();
  }

  /** Several writes that stand or fall together (a savepoint inside the batch). */
  atomic<T>(fn: () => T): T {
    return this.write(() => this.db.transaction(fn)());
  }

  /** `committed` runs once everything written so far is durable: at once when nothing waits to be. */
  afterCommit(committed: () => void, failed: (err: unknown) => void = () => {}): void {
    if (this.open) this.waiting.push({ committed, failed });
    else if (this.syncing.length > 0) this.syncing.at(-1)!.waiters.push({ committed, failed });
    else committed();
  }

  /** Resolves once everything written so far is durable; rejects when that failed. */
  committed(): Promise<void> {
    return new Promise((resolve, reject) => this.afterCommit(resolve, reject));
  }

  /** Commits now (also run at the end of each turn of the loop). */
  flush(): void {
    if (!this.open) return;
    try {
      if (!this.db.inTransaction) throw new Error("sqlite rolled the transaction back after an error");
      this.commit.run();
    } catch (err) {
      return this.fail(err);
    }
    this.open = false;
    const batch: Syncing = { waiters: this.waiting.splice(0), done: false };
    if (!this.sync) return this.settle(batch.waiters);
    this.syncing.push(batch);
    this.sync((err) => {
      batch.done = true;
      batch.err = err;
      this.release();
    });
  }

  /** Lets the waiters of every synced batch go, oldest first (a later fsync never overtakes an earlier one). */
  private release(): void {
    while (this.syncing[0]?.done) {
      const batch = this.syncing.shift()!;
      if (batch.err !== undefined) this.report(batch.err);
      this.settle(batch.waiters, batch.err);
    }
  }

  private fail(err: unknown): void {
    try {
      if (this.db.inTransaction) this.rollback.run();
    } catch (rollbackErr) {
      this.report(rollbackErr);
    }
    this.open = false;
    this.report(err);
    this.settle(this.waiting.splice(0), err);
  }

  private settle(waiters: Waiter[], err?: unknown): void {
    for (const waiter of waiters) {
      try {
        if (err === undefined) waiter.committed();
        else waiter.failed(err);
      } catch (callbackErr) {
        this.report(callbackErr);
      }
    }
  }
}
