/**
 * How the core's domain events reach the surfaces. In one process this is LocalBus; several relay
 * instances put a bus between them (Redis) with the same interface.
 */
export interface Bus<E> {
  /** Delivers the event to every subscriber, in subscription order, before it returns (LocalBus). */
  publish(event: E): void;
  /** Returns the function that unsubscribes. */
  subscribe(handler: (event: E) => void): () => void;
}
