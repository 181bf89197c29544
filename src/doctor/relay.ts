/** Reaching the relay with this machine's token, and how far the two clocks are apart. */
import type { AgentConfig } from "../agent/config";
import { fetchDeviceStatus } from "../agent/device-status";
import { relayUrls } from "../agent/relay-url";
import type { Clock } from "../clock";
import { type CheckResult, fail, failFrom, ok, warn } from "./check";

export async function checkRelay(config: AgentConfig): Promise<CheckResult> {
  try {
    const { online } = await fetchDeviceStatus(config);
    return ok("relay", `${relayUrls(config.relay).base} reachable, token accepted${online ? ", this machine's agent is connected" : ""}`);
  } catch (err) {
    return failFrom("relay", err);
  }
}

/** Beyond these, expiry times (pairing codes, approval deadlines) and TLS certificates go wrong. */
export const SKEW_WARN_MS = 5_000;
export const SKEW_FAIL_MS = 120_000;

/** Compares the relay's clock (GET /healthz `time`) with ours, taken halfway through the request. */
export async function checkClockSkew(relay: string, clock: Pick<Clock, "now">, fetcher: typeof fetch = fetch): Promise<CheckResult> {
  const name = "clock";
  const sent = clock.now();
  let relayTime: number;
  try {
    const res = await fetcher(relayUrls(relay).health, { signal: AbortSignal.timeout(10_000) });
    relayTime = Number(((await res.json()) as { time?: unknown }).time);
  } catch (err) {
    return fail(name, `cannot read the relay's clock: ${(err as Error).message}`, "see the relay check above");
  }
  const received = clock.now();
  if (!Number.isFinite(relayTime)) return warn(name, "the relay does not report its time (an older ra serve?)", "update ra on the relay");
  return skewResult(relayTime - (sent + received) / 2, received - sent);
}

export function skewResult(skewMs: number, roundTripMs: number): CheckResult {
  const name = "clock";
  const size = Math.abs(skewMs);
  const text = `${(size / 1000).toFixed(1)} s ${skewMs > 0 ? "behind" : "ahead of"} the relay (±${(roundTripMs / 2000).toFixed(1)} s)`;
  const fix = "turn on time sync on both machines: sudo timedatectl set-ntp true (Linux); System Settings → General → Date & Time (macOS)";
  if (size > SKEW_FAIL_MS) return fail(name, `this clock is ${text}`, fix);
  if (size > SKEW_WARN_MS) return warn(name, `this clock is ${text}`, fix);
  return ok(name, `in step with the relay (${(size / 1000).toFixed(1)} s apart)`);
}
