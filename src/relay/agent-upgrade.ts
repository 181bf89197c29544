import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { websocket as honoWebsocket } from "hono/bun";
import type { ApiError } from "../proto";
import type { Device } from "./store/types";

/** One frame as a socket hands it over. */
export type SocketFrame = string | ArrayBuffer | Uint8Array;

/** What one socket's frames go to. */
export type SocketHandlers = { onMessage(raw: SocketFrame): void; onClose(): void };

/** Agents never send an Origin header and browsers always do: a socket opened by a web page is refused with this (cross-site WebSocket hijacking). */
export const WEB_PAGE_REFUSED = { error: "forbidden", message: "WebSocket connections from web pages are not accepted" } as const;

/** The send/close a socket's handlers use. */
export type SocketLink = { send(data: string): void; close(code?: number, reason?: string): void };

export type AgentUpgradeDeps = {
  /** Why the relay takes no machines now (Postgres or Redis lost), as the body of a 503; undefined when it does. */
  unavailable(): object | undefined;
  /** The paired device a token belongs to, looked up in its turn with the frames. */
  deviceOf(authorization: string | undefined): Promise<Device | undefined>;
  /** The client's address: the peer's, or with --trust-proxy the one the proxy forwarded for. */
  ipOf(peer: string, forwardedFor: string | null): string;
  open(device: Device, link: SocketLink, ip: string): SocketHandlers;
  unauthorized: ApiError;
};

type LeanData = { lean: (link: SocketLink) => SocketHandlers; handlers?: SocketHandlers };
const isLean = (data: unknown): data is LeanData => typeof (data as LeanData | undefined)?.lean === "function";

export const AGENT_SOCKET_PATH = "/ws/agent";

/** The path of a request's URL, without building a URL object (thousands of agents dial at once). */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return url.slice(start, query < 0 ? undefined : query);
}

/**
 * The agents' WebSocket, taken before the HTTP router: in a reconnect storm thousands of upgrades
 * land in one turn of the event loop, and each one's cost there delays everything else (a
 * /healthz, a Telegram update). Refuses web pages (an Origin header: cross-site WebSocket
 * hijacking), refuses while the relay takes no machines, and checks the token in its turn with
 * the frames.
 */
export function agentUpgrade(deps: AgentUpgradeDeps) {
  const json = (body: object, status: number) => Response.json(body, { status });
  return async (req: Request, server: Server<unknown>): Promise<Response | undefined> => {
    if (req.headers.get("origin")) return json(WEB_PAGE_REFUSED, 403);
    const down = deps.unavailable();
    if (down) return json(down, 503);
    const device = await deps.deviceOf(req.headers.get("authorization") ?? undefined);
    if (!device) return json(deps.unauthorized, 401);
    const ip = deps.ipOf(server.requestIP(req)?.address ?? "unknown", req.headers.get("x-forwarded-for"));
    const data: LeanData = { lean: (link) => deps.open(device, link, ip) };
    if (server.upgrade(req, { data })) return undefined;
    return json({ error: "upgrade_required", message: "this endpoint takes a WebSocket connection (ra agent)" }, 426);
  };
}

/**
 * Bun's WebSocket handlers for the whole server: the agents' sockets opened by `agentUpgrade` go
 * straight to their handlers; the others (pairing, the web app) through Hono's.
 */
export const socketHandlers: WebSocketHandler<unknown> = {
  open(ws: ServerWebSocket<unknown>) {
    const data = ws.data;
    if (!isLean(data)) return honoWebsocket.open(ws as never);
    data.handlers = data.lean({ send: (text) => void ws.send(text), close: (code, reason) => ws.close(code, reason) });
  },
  message(ws: ServerWebSocket<unknown>, message: string | Buffer) {
    const data = ws.data;
    if (!isLean(data)) return honoWebsocket.message(ws as never, message);
    data.handlers?.onMessage(message);
  },
  close(ws: ServerWebSocket<unknown>, code: number, reason: string) {
    const data = ws.data;
    if (!isLean(data)) return honoWebsocket.close(ws as never, code, reason);
    data.handlers?.onClose();
  },
};
