import type { Socket } from "bun";

/**
 * A loopback TCP proxy in front of the relay, so a test can cut the agent's link mid-turn the way
 * a sleeping laptop or a dropped Wi-Fi does (both directions, no close handshake).
 */
export function startTcpProxy(targetPort: number) {
  const pairs = new Set<{ client: Socket<{ upstream?: Socket }>; upstream?: Socket }>();
  let cuts = 0;
  const server = Bun.listen<{ upstream?: Socket; pending: Uint8Array[] }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        client.data = { pending: [] };
        const pair = { client: client as unknown as Socket<{ upstream?: Socket }>, upstream: undefined as Socket | undefined };
        pairs.add(pair);
        const upstream = await Bun.connect({
          hostname: "127.0.0.1",
          port: targetPort,
          socket: {
            data: (_s, chunk) => void client.write(chunk),
            close: () => void client.end(),
            error: () => void client.end(),
          },
        }).catch(() => undefined);
        if (!upstream) {
          client.end();
          return;
        }
        pair.upstream = upstream;
        client.data.upstream = upstream;
        for (const chunk of client.data.pending.splice(0)) upstream.write(chunk);
      },
      data(client, chunk) {
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
  return {
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    get cuts() {
      return cuts;
    },
    /** Drops every connection through the proxy at once. */
    cut() {
      cuts++;
      for (const pair of pairs) {
        pair.client.terminate();
        pair.upstream?.terminate();
      }
      pairs.clear();
    },
    stop() {
      this.cut();
      server.stop(true);
    },
  };
}
