import { readFileSync } from "node:fs";

/** Ports handed out by this process: never the same one twice. */
const handedOut = new Set<number>();

/**
 * Where the kernel takes the local ports of outgoing connections from (Linux). A port probed free
 * inside that range can be taken by any connection's own end before the relay binds it (most
 * likely how a cluster test's relay once found its port taken), so ports are picked below it.
 */
function ephemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : undefined;
  } catch {
    return undefined;
  }
}

const bindable = (port: number) => {
  try {
    Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } }).stop(true);
    return true;
  } catch {
    return false;
  }
};

/** A loopback TCP port that was free a moment ago and no outgoing connection takes (for a relay whose URL must be known up front). */
export function freePort(): number {
  const low = ephemeralLow();
  if (low !== undefined) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
      if (handedOut.has(port) || !bindable(port)) continue;
      handedOut.add(port);
      return port;
    }
  }
  // Elsewhere (macOS), or a crowded range: one the kernel says is free now.
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  handedOut.add(port);
  return port;
}
