import { Hono, type Context } from "hono";
import { getConnInfo, upgradeWebSocket } from "hono/bun";
import type { ApiError, DeviceDeleted, DeviceInfo } from "../proto";
import { untrusted } from "../log";
import { clientAddress, trustedProxies } from "./client-address";
import { sha256 } from "./secrets";
import type { Server } from "bun";
import { agentSocket, pairSocket, type SocketDeps } from "./agent-socket";
import { AGENT_SOCKET_PATH, agentUpgrade, pathOf, WEB_PAGE_REFUSED } from "./agent-upgrade";
import { mountWebhook, type WebhookDeps } from "./webhook";
import type { AttachmentSources } from "./attachment-sources";
import { serveAttachment } from "./attachment-route";
import { mountFileRoutes } from "./file-route";
import type { Health } from "./backing-health";

const bearer = (header: string | undefined) => header?.match(/^Bearer\s+(\S+)$/i)?.[1];

/** HTTP surface of the relay: health, the agents' WebSocket, the pairing WebSocket, the webhook; `fetch` is what Bun.serve calls. */
export function createApp(deps: SocketDeps & { attachments: AttachmentSources; health?: () => Health; webhook?: WebhookDeps; trustProxy?: readonly string[]; web?: { mount(app: Hono, ipOf: (c: Context) => string): void } }) {
  const app = new Hono();
  const trusted = trustedProxies(deps.trustProxy ?? []);
  /** The client's address: the peer's, or with --trust-proxy the one the proxy forwarded for. */
  const ipOf = (c: Context) => {
    let peer = "unknown";
    try {
      peer = getConnInfo(c).remote.address ?? "unknown";
    } catch {}
    return clientAddress(peer, c.req.header("x-forwarded-for"), trusted);
  };

  /** What a 503 says while Postgres or Redis is lost; undefined while the relay works. */
  const downBody = () => {
    const health = deps.health?.();
    return health && !health.ok ? { ...health, time: deps.clock.now() } : undefined;
  };
  const unavailable = (c: Context) => {
    const body = downBody();
    return body ? c.json(body, 503) : undefined;
  };
  app.get("/healthz", (c) => unavailable(c) ?? c.json({ ok: true, time: deps.clock.now() }));

  // Agents never send an Origin header and browsers always do: refusing it keeps web pages from
  // opening the hub's sockets with a visitor's network position (cross-site WebSocket hijacking).
  // While Postgres or Redis is lost the relay takes no new machines: they retry, or the balancer sends them elsewhere.
  app.use("/ws/*", async (c, next) => {
    if (c.req.header("origin")) return c.json(WEB_PAGE_REFUSED, 403);
    return unavailable(c) ?? (await next());
  });

  const deviceOf = async (authorization: string | undefined) => {
    const token = bearer(authorization);
    return token ? deps.core.store.deviceByTokenHash(sha256(token)) : undefined;
  };
  const unauthorized: ApiError = { error: "unauthorized", message: "unknown or revoked device token; pair this machine again with `ra pair`" };

  /** Lets a machine check its token (ra status) and unpair itself (ra unpair). */
  app.get("/api/device", async (c) => {
    const device = await deviceOf(c.req.header("authorization"));
    if (!device) return c.json(unauthorized, 401);
    return c.json({ id: device.id, name: device.name, online: deps.core.hub.online(device.id) } satisfies DeviceInfo);
  });
  app.delete("/api/device", async (c) => {
    const device = await deviceOf(c.req.header("authorization"));
    if (!device) return c.json(unauthorized, 401);
    await deps.core.machines.revoke(device);
    deps.log.info(`${untrusted(device.name)} unpaired itself`);
    return c.json({ ok: true } satisfies DeviceDeleted);
  });

  mountFileRoutes(app, { core: deps.core, log: deps.log, deviceOf, unauthorized });
  app.get("/api/attachments/:turnId/:id", async (c) => {
    const device = await deviceOf(c.req.header("authorization"));
    if (!device) return c.json(unauthorized, 401);
    return serveAttachment(deps, device, c.req.param("turnId"), c.req.param("id"), c.req.raw.signal);
  });

  app.get(
    "/ws/pair",
    upgradeWebSocket((c) => {
      const ip = ipOf(c);
      let handlers: ReturnType<typeof pairSocket> | undefined;
      return {
        onOpen: (_e, ws) => {
          handlers = pairSocket(deps, ws, ip);
        },
        onMessage: (e) => handlers?.onMessage(e.data as string | ArrayBuffer),
        onClose: () => handlers?.onClose(),
      };
    }),
  );

  if (deps.webhook) mountWebhook(app, deps.webhook);
  deps.web?.mount(app, ipOf);

  app.notFound((c) => c.json({ error: "not_found", message: `no route ${c.req.method} ${c.req.path}` }, 404));

  const agents = agentUpgrade({
    unavailable: downBody,
    // In a reconnect storm thousands of agents dial at once: each upgrade waits its turn with their frames.
    deviceOf: (authorization) => deps.frames.run(() => deviceOf(authorization)),
    ipOf: (peer, forwardedFor) => clientAddress(peer, forwardedFor ?? undefined, trusted),
    open: (device, link, ip) => agentSocket(deps, device, link, ip),
    unauthorized,
  });
  /** Bun.serve's fetch: the agents' sockets first, everything else through the router. */
  const fetch = (req: Request, server: Server<unknown>) => (req.method === "GET" && pathOf(req.url) === AGENT_SOCKET_PATH ? agents(req, server) : app.fetch(req, server));
  return { app, fetch };
}
