/** A subscriber: done when it returns, or when the promise it returns settles. */
export type Handler<E> = (event: E) => void | Promise<void>;

/**
 * How the core's domain events reach the surfaces. In one process this is LocalBus; several relay
 * instances put a bus between them (Redis) with the same interface.
 */
export interface Bus<E> {
  /** Delivers the event to every subscriber, in subscription order; each subscriber gets its events one at a time. */
  publish(event: E): void;
  /** Returns the function that unsubscribes. */
  subscribe(handler: Handler<E>): () => void;
  /**
   * Only the events this relay instance published itself: for rules that must act once per event
   * when several instances share one event log. In one process the same as `subscribe`.
   */
  subscribeHere(handler: Handler<E>): () => void;
}
