import { ExitCode, RaError } from "../errors";

/** Accepts https://relay.example.com (or http:// on loopback/LAN) and derives the WebSocket URLs. */
export function relayUrls(input: string) {
  let url: URL;
  try {
    url = new URL(input.includes("://") ? input : `https://${input}`);
  } catch {
    throw new RaError("relay_url", `"${input}" is not a relay URL`, { hint: "use the URL of your `ra serve`, like https://relay.example.com", exitCode: ExitCode.usage });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RaError("relay_url", `relay URLs start with https:// (got ${url.protocol})`, { hint: "use https://relay.example.com", exitCode: ExitCode.usage });
  }
  const base = url.origin + url.pathname.replace(/\/+$/, "");
  const ws = base.replace(/^http/, "ws");
  return { base, agent: `${ws}/ws/agent`, pair: `${ws}/ws/pair`, health: `${base}/healthz`, device: `${base}/api/device` };
}
