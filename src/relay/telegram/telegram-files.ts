import { GrammyError, type Api } from "grammy";
import type { Message } from "grammy/types";
import { formatBytes, MAX_ATTACHMENT_BYTES } from "../../proto";
import { AttachmentUnavailable, type AttachmentFetcher } from "../attachment-sources";
import { shortId } from "../secrets";
import type { StoredAttachment } from "../store/types";

/** Image types claude reads as images; anything else is a file it reads from disk. */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** Downloads a file a user sent to the bot: getFile, then the Bot API's file server. */
export function telegramFiles(api: Api, token: string, apiRoot = "https://api.telegram.org"): AttachmentFetcher {
  return async (fileId, signal) => {
    let path: string | undefined;
    try {
      path = (await api.getFile(fileId, signal as Parameters<Api["getFile"]>[1])).file_path;
    } catch (cause) {
      throw new AttachmentUnavailable(`Telegram would not hand out the file: ${cause instanceof GrammyError ? cause.description : (cause as Error).message}`);
    }
    if (!path) throw new AttachmentUnavailable("Telegram has no download path for the file");
    return fetch(`${apiRoot}/file/bot${token}/${path}`, { signal });
  };
}

/**
 * The file a message carries (a photo, or a document of any kind), as a prompt's attachment; a
 * refusal the user can act on when it is over the size bots may download; undefined for other messages.
 */
export function attachmentOf(message: Message): StoredAttachment | { refused: string } | undefined {
  const photo = message.photo?.at(-1); // sizes come smallest first: the largest is the original's
  const doc = message.document;
  const file = photo ?? doc;
  if (!file) return undefined;
  const size = file.file_size ?? 0;
  if (size > MAX_ATTACHMENT_BYTES) {
    return { refused: `That file is ${formatBytes(size)}; Telegram lets bots fetch files up to ${formatBytes(MAX_ATTACHMENT_BYTES)}. Send a smaller one (a screenshot instead of a recording, or a zip of the part that matters), or copy it to the machine another way.` };
  }
  const mime = photo ? "image/jpeg" : doc!.mime_type || "application/octet-stream";
  const name = photo ? `photo-${message.message_id}.jpg` : doc!.file_name || `file-${message.message_id}`;
  return { id: shortId(), name, mime, size, kind: IMAGE_TYPES.has(mime) ? "image" : "file", source: `telegram:${file.file_id}` };
}

/** The prompt for a file sent without a caption. */
export const uncaptioned = (a: StoredAttachment) => (a.kind === "image" ? "Look at the attached image." : `Look at the attached file ${a.name}.`);
