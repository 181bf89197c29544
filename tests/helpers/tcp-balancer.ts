import type { Socket } from "bun";

/**
 * A loopback TCP load balancer in front of several relays, as a team puts one in front of its
 * `ra serve` instances: each new connection goes to the next backend in turn, and a backend that
 * refuses (killed) is skipped. `prefer` sends every connection to one backend while it is up.
 */
export function startBalancer(ports: number[]) {
  let turn = 0;
  let preferred: number | undefined;
  const routed: number[] = [];
  const connect = async (client: Socket<Conn>, tried = 0): Promise<Socket | undefined> => {
    if (tried > ports.length) return undefined;
    const port = tried === 0 && preferred !== undefined ? preferred : ports[turn++ % ports.length]!;
    const upstream = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, chunk) => void client.write(chunk),
        close: () => void client.end(),
        error: () => void client.end(),
      },
    }).catch(() => undefined);
    if (upstream) routed.push(port);
    return upstream ?? connect(client, tried + 1);
  };
  type Conn = { upstream?: Socket; pending: Uint8Array[] };
  const server = Bun.listen<Conn>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        client.data = { pending: [] };
        const upstream = await connect(client);
        if (!upstream) return void client.end();
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
    url: `http://127.0.0.1:${server.port}`,
    /** The backend port each connection went to, in order. */
    routed,
    /** Every connection goes to this backend while it is up (the others in turn when it is not). */
    prefer(port: number | undefined) {
      preferred = port;
    },
    stop() {
      server.stop(true);
    },
  };
}
