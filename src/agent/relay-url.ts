import { isIP } from "../is-ip";
import { ExitCode, RaError } from "../errors";
import { createLog } from "../log";

let insecureHttp = false;
let warned = false;

/** `--insecure-http`: plain http is accepted for any host (with a warning). RA_INSECURE_HTTP=1 does the same. */
export function allowInsecureHttp(): void {
  insecureHttp = true;
}

/**
 * Accepts https://relay.example.com, and http:// only where the bearer token cannot cross the
 * internet in clear: loopback and private (LAN) addresses, or with --insecure-http. Derives the
 * WebSocket URLs.
 */
export function relayUrls(input: string, env: Record<string, string | undefined> = process.env) {
  let url: URL;
  try {
    url = new URL(input.includes("://") ? input : `https://${input}`);
  } catch {
    throw new RaError("relay_url", `"${input}" is not a relay URL`, { hint: "use the URL of your `ra serve`, like https://relay.example.com", exitCode: ExitCode.usage });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RaError("relay_url", `relay URLs start with https:// (got ${url.protocol})`, { hint: "use https://relay.example.com", exitCode: ExitCode.usage });
  }
  if (url.protocol === "http:" && !isLocalHost(url.hostname)) {
    if (!insecureHttp && env.RA_INSECURE_HTTP !== "1") {
      throw new RaError("relay_insecure", `${url.origin} is plain http to a public address: this machine's token would cross the internet unencrypted`, {
        hint: "use https:// (see the README: Caddy in front of ra serve gets a certificate); --insecure-http (or RA_INSECURE_HTTP=1) forces http anyway",
        exitCode: ExitCode.usage,
      });
    }
    if (!warned) {
      warned = true;
      createLog("relay").warn(`talking to ${url.origin} over plain http (--insecure-http): anyone on the way can read this machine's token and your prompts`);
    }
  }
  const base = url.origin + url.pathname.replace(/\/+$/, "");
  const ws = base.replace(/^http/, "ws");
  return { base, agent: `${ws}/ws/agent`, pair: `${ws}/ws/pair`, health: `${base}/healthz`, device: `${base}/api/device` };
}

/** Loopback, private and link-local addresses, localhost and mDNS (.local) names: traffic that stays on this machine or LAN. */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local")) return true;
  const family = isIP(host);
  if (family === 4) return privateV4(host);
  if (family === 6) return privateV6(host);
  return false;
}

function privateV4(ip: string): boolean {
  const [a, b] = ip.split(".").map(Number) as [number, number];
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

function privateV6(ip: string): boolean {
  if (ip === "::1") return true;
  // IPv4-mapped (::ffff:127.0.0.1, which URL writes as ::ffff:7f00:1).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ip);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return privateV4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/.test(ip)) return privateV4(ip.slice(7));
  const first = parseInt(ip.split(":")[0] || "0", 16);
  // fc00::/7 (unique local) and fe80::/10 (link-local).
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}
