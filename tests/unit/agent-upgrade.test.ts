// The agents' WebSocket taken before the HTTP router (src/relay/agent-upgrade.ts), on a real
// Bun.serve on loopback: what it refuses and why, and that an accepted socket's frames and close
// reach its handlers while other sockets still go through Hono.
import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/bun";
import { agentUpgrade, AGENT_SOCKET_PATH, pathOf, socketHandlers, type SocketLink } from "../../src/relay/agent-upgrade";
import type { Device } from "../../src/relay/store/types";

const device = { id: "d1", name: "laptop" } as Device;
const unauthorized = { error: "unauthorized", message: "unknown or revoked device token; pair this machine again with `ra pair`" };

type Seen = { opened: { device: Device; ip: string }[]; frames: string[]; closed: number; links: SocketLink[] };

function serve(options: { down?: object } = {}) {
  const seen: Seen = { opened: [], frames: [], closed: 0, links: [] };
  const frameArrived = { next: Promise.withResolvers<void>() };
  const closed = Promise.withResolvers<void>();
  const agents = agentUpgrade({
    unavailable: () => options.down,
    deviceOf: async (authorization) => (authorization === "Bearer good" ? device : undefined),
    ipOf: (peer, forwardedFor) => `${peer}|${forwardedFor ?? ""}`,
    open: (d, link, ip) => {
      seen.opened.push({ device: d, ip });
      seen.links.push(link);
      return {
        onMessage: (raw) => {
          seen.frames.push(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
          frameArrived.next.resolve();
        },
        onClose: () => {
          seen.closed++;
          closed.resolve();
        },
      };
    },
    unauthorized,
  });
  const app = new Hono();
  app.get("/ws/other", upgradeWebSocket(() => ({ onMessage: (e, ws) => ws.send(`hono: ${e.data}`) })));
  app.get("/healthz", (c) => c.json({ ok: true }));
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, srv) => (req.method === "GET" && pathOf(req.url) === AGENT_SOCKET_PATH ? agents(req, srv) : app.fetch(req, srv)),
    websocket: socketHandlers,
  });
  servers.push(server);
  const base = `127.0.0.1:${server.port}`;
  return { seen, frameArrived, closed, http: `http://${base}`, ws: `ws://${base}` };
}

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

const opened = (ws: WebSocket) => new Promise<void>((resolve, reject) => ((ws.onopen = () => resolve()), (ws.onerror = () => reject(new Error("the socket did not open")))));

describe("the agents' WebSocket before the router", () => {
  test("pathOf takes the path without the query, whatever the scheme and port", () => {
    expect(pathOf("http://127.0.0.1:8080/ws/agent")).toBe("/ws/agent");
    expect(pathOf("https://relay.example/ws/agent?x=1")).toBe("/ws/agent");
    expect(pathOf("http://[::1]:9/ws/agent/")).toBe("/ws/agent/");
    expect(pathOf("http://relay.example")).toBe("/");
  });

  test("a web page (Origin), a relay that takes no machines, a wrong token and a plain GET are each refused with a reason", async () => {
    const { http } = serve();
    const origin = await fetch(`${http}/ws/agent`, { headers: { Authorization: "Bearer good", Upgrade: "websocket", Origin: "https://evil.example" } });
    expect(origin.status).toBe(403);
    expect(await origin.json()).toEqual({ error: "forbidden", message: "WebSocket connections from web pages are not accepted" });

    const forged = await fetch(`${http}/ws/agent`, { headers: { Authorization: "Bearer forged", Upgrade: "websocket" } });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual(unauthorized);

    const plain = await fetch(`${http}/ws/agent`, { headers: { Authorization: "Bearer good" } });
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { message: string }).message).toContain("WebSocket");

    const down = serve({ down: { ok: false, down: ["Redis"], message: "Redis cannot be reached" } });
    const refused = await fetch(`${down.http}/ws/agent`, { headers: { Authorization: "Bearer good", Upgrade: "websocket" } });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ ok: false, down: ["Redis"], message: "Redis cannot be reached" });
  });

  test("an accepted socket's frames and close reach its handlers, its link sends back, and other paths still go through Hono", async () => {
    const { seen, frameArrived, closed, ws: base, http } = serve();
    const agent = new WebSocket(`${base}/ws/agent`, { headers: { Authorization: "Bearer good", "X-Forwarded-For": "203.0.113.9" } } as unknown as string[]);
    const reply = new Promise<string>((resolve) => (agent.onmessage = (e) => resolve(String(e.data))));
    await opened(agent);
    expect(seen.opened).toEqual([{ device, ip: "127.0.0.1|203.0.113.9" }]);
    agent.send('{"type":"ping","t":1}');
    await frameArrived.next.promise;
    expect(seen.frames).toEqual(['{"type":"ping","t":1}']);
    seen.links[0]!.send('{"type":"pong","t":1}');
    expect(await reply).toBe('{"type":"pong","t":1}');

    const other = new WebSocket(`${base}/ws/other`);
    const echoed = new Promise<string>((resolve) => (other.onmessage = (e) => resolve(String(e.data))));
    await opened(other);
    other.send("hi");
    expect(await echoed).toBe("hono: hi");
    other.close();
    expect(await (await fetch(`${http}/healthz`)).json()).toEqual({ ok: true });

    agent.close();
    await closed.promise;
    expect(seen.closed).toBe(1);
    expect(seen.frames).toEqual(['{"type":"ping","t":1}']); // Hono's socket never reached the agent's handlers
  });
});
