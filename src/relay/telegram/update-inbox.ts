import type { Update } from "grammy/types";
import type { Clock } from "../../clock";
import type { Store } from "../store/types";

/** How long a handled update is kept to recognise a repeat delivery (Telegram repeats within minutes). */
export const KEEP_HANDLED_MS = 60 * 60_000;
/** At most this many handled updates are kept, however fast they come (a flood of strangers). */
export const MAX_HANDLED = 5000;
const TIDY_EVERY = 200;

/**
 * Every update is stored before it is handled and marked when done: a relay that dies mid-update
 * handles it after the restart, one Telegram delivers twice is handled once. Handled ones are
 * forgotten as they age, and never pile up: the table stays bounded whoever writes to the bot.
 */
export class UpdateInbox {
  private received = 0;
  /** The lowest update received whose storage failed to commit: Telegram must deliver from it again. */
  private redeliverFrom: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly maxHandled = MAX_HANDLED,
  ) {}

  /** False when this update was stored before (a repeat delivery). */
  async receive(update: Update): Promise<boolean> {
    const id = update.update_id;
    const fresh = await this.store.receiveUpdate(id, JSON.stringify(update), this.clock.now());
    if (!fresh) return false;
    this.store.afterCommit(() => {}, () => (this.redeliverFrom = Math.min(this.redeliverFrom ?? id, id)));
    if (++this.received % TIDY_EVERY === 0) await this.tidy();
    return true;
  }

  /**
   * Waits until every update received so far is stored for good (the next getUpdates tells
   * Telegram to forget them), and says from which update Telegram must deliver again when
   * storing some of them failed.
   */
  async settled(): Promise<number | undefined> {
    await this.store.committed().catch(() => {});
    const from = this.redeliverFrom;
    this.redeliverFrom = undefined;
    return from;
  }

  async handled(updateId: number): Promise<boolean> {
    return await this.store.updateHandled(updateId);
  }

  async markHandled(updateId: number): Promise<void> {
    await this.store.markUpdateHandled(updateId, this.clock.now());
  }

  /** Received before the last stop and never handled: to handle now, in order. */
  async leftover(): Promise<Update[]> {
    return (await this.store.unhandledUpdates()).map((row) => JSON.parse(row.body) as Update);
  }

  async tidy(): Promise<void> {
    await this.store.pruneUpdates(this.clock.now() - KEEP_HANDLED_MS);
    await this.store.trimUpdates(this.maxHandled);
  }
}
