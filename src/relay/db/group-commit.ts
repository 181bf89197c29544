import type { Database } from "bun:sqlite";

type Waiter = { committed(): void; failed(err: unknown): void };

/** Runs `fn` once the current turn of the event loop is over (after its I/O callbacks). */
export type Defer = (fn: () => void) => void;

/**
 * Group commit: everything the relay writes during one turn of the event loop goes into one
 * transaction, committed (one fsync under synchronous=FULL) when that turn is over. Whatever must
 * only leave the relay once it is durable (an ack, a prompt frame, a device token) waits for the
 * commit with `afterCommit`; if the commit fails, those wait no more: their `failed` runs instead
 * and nothing is acknowledged.
 */
export class GroupCommit {
  private waiting: Waiter[] = [];
  private open = false;
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(
    private readonly db: Database,
    private readonly report: (err: unknown) => void,
    private readonly defer: Defer = setImmediate,
  ) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
  }

  /** Runs one write in the open batch (opening one when none is). */
  write<T>(fn: () => T): T {
    // sqlite rolls a transaction back on its own after some errors (disk full, I/O): that batch failed.
    if (this.open && !this.db.inTransaction) this.settle(new Error("sqlite rolled the transaction back after an error"));
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

  /** `committed` runs once everything written so far is durable: at once when nothing waits to be committed. */
  afterCommit(committed: () => void, failed: (err: unknown) => void = () => {}): void {
    if (this.open) this.waiting.push({ committed, failed });
    else committed();
  }

  /** Resolves once everything written so far is durable; rejects when that commit failed. */
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
      return this.settle(err);
    }
    this.settle();
  }

  private settle(err?: unknown): void {
    if (err !== undefined) {
      try {
        if (this.db.inTransaction) this.rollback.run();
      } catch (rollbackErr) {
        this.report(rollbackErr);
      }
    }
    this.open = false;
    const waiters = this.waiting.splice(0);
    if (err !== undefined) this.report(err);
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
