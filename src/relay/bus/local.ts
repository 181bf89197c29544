import type { Bus } from "./types";

/**
 * The in-process bus: synchronous, in order. One subscriber that throws is reported and does not
 * keep the event from the others (a broken surface must not stop the core or another surface).
 */
export class LocalBus<E> implements Bus<E> {
  private handlers: ((event: E) => void)[] = [];

  constructor(private readonly onError: (err: unknown, event: E) => void) {}

  publish(event: E): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (err) {
        this.onError(err, event);
      }
    }
  }

  subscribe(handler: (event: E) => void): () => void {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }
}
