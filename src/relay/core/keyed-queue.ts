/**
 * Runs the tasks given for one key one after another, in the order given; tasks of other keys run
 * alongside. What was one synchronous step before the store answered with promises (look up the
 * chat's conversation, then open one if there is none) stays one step per key.
 */
export class KeyedQueue {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const run = before ? before.then(task) : task();
    const tail = run.then(noop, noop);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}

const noop = () => {};
