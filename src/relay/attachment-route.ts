import { untrusted, type Log } from "../log";
import type { ApiError } from "../proto";
import { AttachmentUnavailable, type AttachmentSources } from "./attachment-sources";
import type { Core } from "./core";
import { runningAttachment } from "./core/attachments";
import type { Device } from "./store/types";

const notFound: ApiError = { error: "not_found", message: "no such attachment of a turn running on this machine" };

/**
 * GET /api/attachments/:turnId/:id for an agent: the bytes of a file that came with the prompt of
 * a turn running on that very machine, streamed from the surface that received it and never
 * stored here. Any other turn, finished or not this machine's, is the same 404.
 */
export async function serveAttachment(deps: { core: Core; log: Log; attachments: AttachmentSources }, device: Device, turnId: string, id: string, signal: AbortSignal): Promise<Response> {
  const attachment = await runningAttachment(deps.core.store, device.id, turnId, id);
  if (!attachment) return Response.json(notFound, { status: 404 });
  try {
    const upstream = await deps.attachments.open(attachment, signal);
    return new Response(upstream.body, {
      headers: { "content-type": attachment.mime, ...(upstream.headers.get("content-length") ? { "content-length": upstream.headers.get("content-length")! } : {}) },
    });
  } catch (cause) {
    const why = cause instanceof AttachmentUnavailable ? cause.message : `could not fetch it: ${(cause as Error).message}`;
    deps.log.warn(`attachment ${untrusted(attachment.name)} for ${untrusted(device.name)}: ${why}`);
    return Response.json({ error: "attachment_unavailable", message: `${attachment.name}: ${why}` } satisfies ApiError, { status: 502 });
  }
}
