import type { Clock } from "../../clock";
import { shortId } from "../secrets";

/** Questions sent to another instance, waiting for their answers by id; each gives up after its time. */
export class PendingAnswers {
  private waiting = new Map<string, (value: unknown) => void>();

  constructor(private readonly clock: Clock) {}

  /** A new question's id, and its answer (`timedOut` when none came within `timeoutMs`). */
  open<T>(timeoutMs: number, timedOut: T): { id: string; answer: Promise<T> } {
    const id = shortId(10);
    const answer = new Promise<T>((resolve) => {
      const cancel = this.clock.schedule(timeoutMs, () => done(timedOut));
      const done = (value: unknown) => {
        cancel();
        this.waiting.delete(id);
        resolve(value as T);
      };
      this.waiting.set(id, done);
    });
    return { id, answer };
  }

  settle(id: string, value: unknown): void {
    this.waiting.get(id)?.(value);
  }
}
