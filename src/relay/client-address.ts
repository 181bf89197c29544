import { isIP } from "../is-ip";

/**
 * The address of the client behind a trusted reverse proxy. Behind Caddy every peer is 127.0.0.1,
 * so per-address limits and the pairing card would see one address for everybody. When the peer
 * is a proxy named with --trust-proxy, X-Forwarded-For is read from the right: the first address
 * that is not itself a trusted proxy is the client (anything left of it the client could forge).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: ReadonlySet<string>): string {
  const from = plainIp(peer);
  if (!trusted.has(from) || !forwardedFor) return from;
  const hops = forwardedFor.split(",").map((h) => plainIp(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (trusted.has(hops[i]!)) continue;
    return isIP(hops[i]!) ? hops[i]! : from; // garbage where the proxy writes the client: trust nothing of it
  }
  return hops[0] ?? from;
}

/** The trusted proxies, normalised like the addresses they are compared with. */
export const trustedProxies = (addresses: readonly string[]) => new Set(addresses.map(plainIp));

/** "::ffff:127.0.0.1" is 127.0.0.1; "[::1]" is ::1. */
function plainIp(address: string): string {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  return bare.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}
