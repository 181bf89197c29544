import type { StoredAttachment } from "./store/types";

/**
 * Fetches the bytes behind a source reference ("telegram:<file_id>" → the part after the scheme)
 * from wherever the surface that received the file keeps it. Resolves with an ok Response.
 */
export type AttachmentFetcher = (ref: string, signal: AbortSignal) => Promise<Response>;

/** Thrown when a file cannot be fetched from its surface: the message says why, for the agent and the log. */
export class AttachmentUnavailable extends Error {}

/**
 * Where each surface's files come from. The relay never keeps the bytes: an agent's download is
 * streamed straight from the surface (Telegram's file server) to the machine.
 */
export class AttachmentSources {
  private readonly fetchers = new Map<string, AttachmentFetcher>();

  register(scheme: string, fetcher: AttachmentFetcher): void {
    this.fetchers.set(scheme, fetcher);
  }

  async open(attachment: StoredAttachment, signal: AbortSignal): Promise<Response> {
    const colon = attachment.source.indexOf(":");
    const fetcher = colon > 0 ? this.fetchers.get(attachment.source.slice(0, colon)) : undefined;
    if (!fetcher) throw new AttachmentUnavailable(`no surface on this relay serves ${attachment.source.slice(0, Math.max(colon, 0)) || "this file"}`);
    const response = await fetcher(attachment.source.slice(colon + 1), signal);
    if (!response.ok || !response.body) throw new AttachmentUnavailable(`the file server answered ${response.status}`);
    return response;
  }
}
