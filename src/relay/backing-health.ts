import type { Cancel, Clock } from "../clock";
import type { Log } from "../log";

/** One service the relay cannot work without (Postgres, Redis): how to ask it whether it answers. */
export type BackingService = { name: string; ping(): Promise<unknown> };

/** How often the services are asked, and how long one may take to answer before it counts as lost. */
export const CHECK_EVERY_MS = 2000;
export const ANSWER_WITHIN_MS = 1500;

export type Health = { ok: true } | { ok: false; down: string[]; message: string };

/**
 * Whether the relay's backing services answer, asked in the background (a /healthz request never
 * waits on them): a load balancer takes an instance that lost one out of rotation, and the log
 * says when one is lost and when it is back. The embedded sqlite relay has none and is always ok.
 */
export class BackingHealth {
  private down = new Set<string>();
  private cancel: Cancel | undefined;
  private stopped = false;

  constructor(
    private readonly services: BackingService[],
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  start(): void {
    if (this.services.length > 0) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  get health(): Health {
    if (this.down.size === 0) return { ok: true };
    const down = [...this.down];
    return { ok: false, down, message: `this relay cannot reach ${down.join(" and ")}; it is waiting for ${down.length > 1 ? "them" : "it"} to come back` };
  }

  /** Asks every service once (what the timer does). */
  async check(): Promise<void> {
    await Promise.all(this.services.map(async ({ name, ping }) => {
      const error = await answers(ping, this.clock).then(() => undefined, (err: unknown) => (err as Error)?.message ?? String(err));
      if (error !== undefined && !this.down.has(name)) {
        this.down.add(name);
        this.log.error(`lost ${name} (${error}): /healthz answers 503 until it is back`);
      } else if (error === undefined && this.down.delete(name)) {
        this.log.info(`${name} is back`);
      }
    }));
  }

  private schedule(): void {
    this.cancel = this.clock.schedule(CHECK_EVERY_MS, () => {
      void this.check().finally(() => !this.stopped && this.schedule());
    });
  }
}

function answers(ping: () => Promise<unknown>, clock: Clock): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const cancel = clock.schedule(ANSWER_WITHIN_MS, () => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)));
    ping().then((v) => (cancel(), resolve(v)), (err) => (cancel(), reject(err)));
  });
}
