import type { AgentConfig } from "./config";
import { relayUrls } from "./relay-url";
import { ExitCode, RaError } from "../errors";
import { DeviceInfo } from "../proto";

/** Asks the relay whether it knows this machine's token (GET /api/device); throws a RaError that says what to do. */
export async function fetchDeviceStatus(config: AgentConfig): Promise<DeviceInfo> {
  const urls = relayUrls(config.relay);
  let res: Response;
  try {
    res = await fetch(urls.device, { headers: { Authorization: `Bearer ${config.token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (cause) {
    throw new RaError("relay_unreachable", `relay unreachable: ${(cause as Error).message}`, { hint: "check the network and that `ra serve` runs there", exitCode: ExitCode.unavailable });
  }
  if (res.status === 401) throw new RaError("revoked", "the relay does not know this machine any more (unpaired or revoked)", { hint: "pair again with `ra pair`", exitCode: ExitCode.revoked });
  if (!res.ok) throw new RaError("relay_error", `the relay answered ${res.status}`, { exitCode: ExitCode.unavailable });
  const body = DeviceInfo.safeParse(await res.json().catch(() => undefined));
  if (!body.success) throw new RaError("relay_error", "the relay's answer to GET /api/device is not what this ra expects", { hint: "run the same ra version on the relay and this machine", exitCode: ExitCode.unavailable });
  return body.data;
}
