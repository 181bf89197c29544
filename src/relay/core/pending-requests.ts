import type { Cancel, Clock } from "../../clock";
import { shortId } from "../secrets";

/**
 * Requests the relay sent a machine and waits to hear back on (a file for /get, a list): each is
 * answered once, only by the machine it was sent to, or times out. Nothing is kept once answered.
 */
export class PendingRequests<T> {
  private readonly pending = new Map<string, { deviceId: string; value: T; cancel: Cancel }>();

  constructor(private readonly clock: Clock) {}

  /** Waits for `deviceId`'s answer to `requestId`; `onTimeout` gets `value` when none came within `ms`. */
  add(requestId: string, deviceId: string, value: T, ms: number, onTimeout: (value: T) => void): void {
    const cancel = this.clock.schedule(ms, () => {
      if (this.pending.delete(requestId)) onTimeout(value);
    });
    this.pending.set(requestId, { deviceId, value, cancel });
  }

  /** The waiting request an answer from `deviceId` names (once; undefined for anything else). */
  take(deviceId: string, requestId: string): T | undefined {
    const entry = this.pending.get(requestId);
    if (!entry || entry.deviceId !== deviceId) return undefined;
    this.pending.delete(requestId);
    entry.cancel();
    return entry.value;
  }
}

/**
 * Several relays: a request's id starts with the id of the relay that asked (all relay ids have
 * one length), so the relay a machine answers on knows where to pass the answer.
 */
export const requestIdFrom = (instance: string | undefined) => (instance ?? "") + shortId();

/** The other relay that made `requestId` (undefined: this one, or a single relay's id). */
export function askerOf(requestId: string, instance: string | undefined): string | undefined {
  if (!instance || requestId.length <= instance.length) return undefined;
  const asker = requestId.slice(0, instance.length);
  return asker !== instance && asker.startsWith(instance.slice(0, 2)) ? asker : undefined;
}
