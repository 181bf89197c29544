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

  /** Tasks waiting. */
  get size(): number {
    return this.tasks.length - this.next;
  }

  private drain = (): void => {
    this.draining = this.drainFor(this.sliceMs).then(() => {
      this.draining = undefined;
      if (this.size === 0) this.scheduled = false;
      else this.defer(this.drain);
    });
  };

  private async drainFor(sliceMs: number): Promise<void> {
    const until = this.now() + sliceMs;
    while (this.next < this.tasks.length) {
      const task = this.tasks[this.next]!;
      this.tasks[this.next++] = noop; // let go of the frame it holds
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
