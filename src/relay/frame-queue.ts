/** Runs `fn` on a later turn of the event loop (after the I/O that is ready has been read). */
export type Defer = (fn: () => void) => void;

/** How long one slice of agent frames may hold the event loop. */
export const SLICE_MS = 8;

/** A frame's work: done when it returns, or when the promise it returns settles. */
export type FrameTask = () => void | Promise<unknown>;

/**
 * What thousands of agents send at once (a reconnect storm: hellos, replays, closes) is done in
 * arrival order, one task after another (a task that waits on the store is finished before the
 * next starts), in slices of at most SLICE_MS; between two slices the event loop reads what else
 * arrived (a /healthz request, a Telegram update) and the slice's writes are committed. Order
 * within each connection is kept because the one queue is first in, first out.
 */
export class FrameQueue {
  private tasks: FrameTask[] = [];
  private next = 0;
  private scheduled = false;
  private draining: Promise<void> | undefined;
  /** Tasks done since the queue was last empty. */
  private sinceEmpty = 0;
  private burstListeners: { minTasks: number; fn: (tasks: number) => void }[] = [];

  constructor(
    private readonly report: (err: unknown) => void,
    private readonly sliceMs = SLICE_MS,
    private readonly defer: Defer = setImmediate,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(task: FrameTask): void {
    this.tasks.push(task);
    if (!this.scheduled) {
      this.scheduled = true;
      this.defer(this.drain);
    }
  }

  /** Runs `fn` in its turn; resolves with what it returned. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise((resolve, reject) =>
      this.push(async () => {
        try {
          resolve(await fn());
        } catch (err) {
          reject(err);
        }
      }),
    );
  }

  /** Does everything that waits, now (at shutdown, before the database closes). */
  async finish(): Promise<void> {
    await this.draining;
    while (this.size > 0) await this.drainFor(Number.POSITIVE_INFINITY);
  }

  /** Calls `fn` each time the queue runs empty after at least `minTasks` tasks in a row (a storm is over). */
  afterBursts(minTasks: number, fn: (tasks: number) => void): void {
    this.burstListeners.push({ minTasks, fn });
  }

  /** Tasks waiting. */
  get size(): number {
    return this.tasks.length - this.next;
  }

  private drain = (): void => {
    this.draining = this.drainFor(this.sliceMs).then(() => {
      this.draining = undefined;
      if (this.size > 0) return this.defer(this.drain);
      this.scheduled = false;
      const tasks = this.sinceEmpty;
      this.sinceEmpty = 0;
      for (const { minTasks, fn } of this.burstListeners) if (tasks >= minTasks) fn(tasks);
    });
  };

  private async drainFor(sliceMs: number): Promise<void> {
    const until = this.now() + sliceMs;
    while (this.next < this.tasks.length) {
      const task = this.tasks[this.next]!;
      this.tasks[this.next++] = noop; // let go of the frame it holds
      this.sinceEmpty++;
      try {
        const done = task();
        if (done) await done;
      } catch (err) {
        this.report(err);
      }
      if (this.now() >= until) break;
    }
    if (this.next === this.tasks.length) {
      this.tasks = [];
      this.next = 0;
    } else if (this.next > 1024 && this.next * 2 > this.tasks.length) {
      this.tasks = this.tasks.slice(this.next);
      this.next = 0;
    }
  }
}

const noop = () => {};
