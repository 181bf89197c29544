import type { Cancel, Clock } from "../../clock";

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
