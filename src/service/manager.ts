/**
 * The service-manager seam: the handful of things `ra service` asks systemd or launchd to do.
 * systemd.ts and launchd.ts are the real ones (commands through Exec); recording.ts is the fake
 * the tests select with RA_TEST_SERVICE_MANAGER.
 */
import type { ServiceScope } from "./spec";

export type ManagerKind = "systemd" | "launchd";

/** One installed service as the manager knows it. */
export interface ServiceTarget {
  /** `ra-agent.service` or `com.ra.agent`. */
  name: string;
  scope: ServiceScope;
  /** The unit file or plist. */
  file: string;
  /** launchd: where stdout/stderr go. */
  logFile?: string;
}

export interface ServiceState {
  running: boolean;
  /** Starts by itself at boot (systemd: enabled) or at login (launchd: plist present, not disabled). */
  enabled: boolean;
  pid?: number;
  /** "exit status 1 at Thu 2026-12-03 07:00:00 UTC", "never exited"… */
  lastExit?: string;
  /** The manager's own words (e.g. "failed (Result: exit-code)"). */
  detail?: string;
}

export interface ServiceManager {
  readonly kind: ManagerKind;
  /** systemd's major version (e.g. 252), undefined for launchd. */
  version(): Promise<number | undefined>;
  /** After the file was written, changed or removed (systemd daemon-reload; launchd: nothing). */
  reload(target: ServiceTarget): Promise<void>;
  /** Start at boot/login from now on. */
  enable(target: ServiceTarget): Promise<void>;
  disable(target: ServiceTarget): Promise<void>;
  start(target: ServiceTarget): Promise<void>;
  stop(target: ServiceTarget): Promise<void>;
  restart(target: ServiceTarget): Promise<void>;
  state(target: ServiceTarget): Promise<ServiceState>;
  /** Shows (or follows) the service's log; resolves with the viewer's exit code. */
  logs(target: ServiceTarget, options: { follow: boolean; lines: number }): Promise<number>;
  /** systemd user services without a login: is linger on for `user`? undefined where it does not apply. */
  linger(user: string): Promise<boolean | undefined>;
  setLinger(user: string, on: boolean): Promise<void>;
}
