import type { Bus, Handler } from "./types";

/**
 * The in-process bus: in order. One subscriber that throws (or whose promise rejects) is reported
 * and does not keep the event from the others (a broken surface must not stop the core or another
 * surface). A subscriber that answers an event with a promise (it had to ask the store) gets its
 * next events once that promise settled, so each subscriber still sees them one at a time, in
 * order; the others are not held up.
 */
export class LocalBus<E> implements Bus<E> {
  private handlers: Handler<E>[] = [];
  /** A subscriber's unfinished event: its next ones wait for it. */
  private busy = new Map<Handler<E>, Promise<void>>();

  constructor(private readonly onError: (err: unknown, event: E) => void) {}

  publish(event: E): void {
    for (const handler of this.handlers) {
      const before = this.busy.get(handler);
      if (before) this.hold(handler, before.then(() => this.deliver(handler, event)));
      else {
        const pending = this.deliver(handler, event);
        if (pending) this.hold(handler, pending);
      }
    }
  }

  subscribe(handler: Handler<E>): () => void {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  subscribeHere(handler: Handler<E>): () => void {
    return this.subscribe(handler);
  }

  /** Resolves once every subscriber has finished with every event published so far. */
  async settled(): Promise<void> {
    while (this.busy.size > 0) await Promise.all([...this.busy.values()]);
  }

  private deliver(handler: Handler<E>, event: E): Promise<void> | undefined {
    try {
      const result = handler(event);
      return result ? result.then(noop, (err) => this.onError(err, event)) : undefined;
    } catch (err) {
      this.onError(err, event);
      return undefined;
    }
  }

  private hold(handler: Handler<E>, pending: Promise<void>): void {
    this.busy.set(handler, pending);
    void pending.then(() => {
      if (this.busy.get(handler) === pending) this.busy.delete(handler);
    });
  }
}

const noop = () => {};
