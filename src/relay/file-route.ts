import type { Hono } from "hono";
import { untrusted, type Log } from "../log";
import { FILE_NAME_HEADER, FileRefused, type ApiError } from "../proto";
import { formatBytes, MAX_DOCUMENT_BYTES } from "../proto/limits";
import type { Core } from "./core";
import type { Device } from "./store/types";

const notWaiting: ApiError = { error: "not_found", message: "no file request of this machine is waiting (answered already, or it timed out)" };

/** A file name as the machine reported it, made safe to show and to name a document. */
function fileName(header: string | undefined): string {
  let name = "file";
  try {
    name = decodeURIComponent(header ?? "file");
  } catch {}
  return name.replace(/[\u0000-\u001f\u007f/\\]/g, "").slice(0, 200) || "file";
}

/**
 * An agent's answer to a file.request: POST the bytes to /api/files/:id, or a FileRefused body to
 * /api/files/:id/refused. Only the machine that was asked can answer, once; the relay passes the
 * file on and keeps nothing.
 */
export function mountFileRoutes(app: Hono, deps: { core: Core; log: Log; deviceOf(authorization: string | undefined): Promise<Device | undefined>; unauthorized: ApiError }): void {
  app.post("/api/files/:requestId/refused", async (c) => {
    const device = await deps.deviceOf(c.req.header("authorization"));
    if (!device) return c.json(deps.unauthorized, 401);
    const body = FileRefused.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: "bad_request", message: "send {\"message\": \"why\"}" } satisfies ApiError, 400);
    const delivery = deps.core.files.take(device.id, c.req.param("requestId"));
    if (!delivery) return c.json(notWaiting, 404);
    delivery.fail(`${device.name}: ${body.data.message}.`);
    return c.json({ ok: true });
  });

  app.post("/api/files/:requestId", async (c) => {
    const device = await deps.deviceOf(c.req.header("authorization"));
    if (!device) return c.json(deps.unauthorized, 401);
    const delivery = deps.core.files.take(device.id, c.req.param("requestId"));
    if (!delivery) return c.json(notWaiting, 404);
    const name = fileName(c.req.header(FILE_NAME_HEADER));
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_DOCUMENT_BYTES) {
      delivery.fail(`${device.name}: ${name} is ${formatBytes(declared)}; Telegram takes files up to ${formatBytes(MAX_DOCUMENT_BYTES)} from bots.`);
      return c.json({ error: "too_large", message: `at most ${MAX_DOCUMENT_BYTES} bytes` } satisfies ApiError, 413);
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > MAX_DOCUMENT_BYTES) {
      delivery.fail(`${device.name}: ${name} is over ${formatBytes(MAX_DOCUMENT_BYTES)}; Telegram takes no larger files from bots.`);
      return c.json({ error: "too_large", message: `at most ${MAX_DOCUMENT_BYTES} bytes` } satisfies ApiError, 413);
    }
    try {
      await delivery.deliver(name, bytes);
      return c.json({ ok: true });
    } catch (err) {
      deps.log.warn(`could not pass ${untrusted(name)} from ${untrusted(device.name)} on: ${(err as Error).message}`);
      delivery.fail(`${name} came from ${device.name} but could not be sent to you: ${(err as Error).message}`);
      return c.json({ error: "undeliverable", message: (err as Error).message } satisfies ApiError, 502);
    }
  });
}
