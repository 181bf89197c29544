/**
 * The writes a Postgres store has started and not yet seen finish, so `committed()` can wait for
 * all of them (each statement commits on its own; there is no batch to wait for).
 */
export class PendingWrites {
  private pending = new Set<Promise<unknown>>();

  /** Runs one write and keeps it until it is done (either way). */
  track<T>(write: PromiseLike<T>): Promise<T> {
    const promise = Promise.resolve(write);
    this.pending.add(promise);
    const done = () => this.pending.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** `track` for a write whose rows nobody reads. */
  done(write: PromiseLike<unknown>): Promise<void> {
    return this.track(write).then(() => undefined);
  }

  /** No write is on its way. */
  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Resolves once every write started so far is done; rejects when one of them failed. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
