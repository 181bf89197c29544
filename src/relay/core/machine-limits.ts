import type { Hello } from "../../proto";

export type Limits = NonNullable<Hello["limits"]>;

/** What each connected machine allows (its roots and highest permission mode), from its hello. */
export class MachineLimits {
  private byDevice = new Map<string, Limits>();

  set(deviceId: string, limits: Limits): void {
    this.byDevice.set(deviceId, limits);
  }

  of(deviceId: string): Limits | undefined {
    return this.byDevice.get(deviceId);
  }
}
