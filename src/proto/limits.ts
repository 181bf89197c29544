/**
 * Size limits of claude's answer text, in UTF-16 code units (JavaScript string length), defined
 * once for both ends. The agent cuts text into events of at most MAX_TEXT_EVENT_CHARS and streams
 * at most MAX_TURN_TEXT_CHARS of one turn (the rest is saved on the machine); the relay refuses a
 * larger text event (see TextDelta).
 */
export const MAX_TEXT_EVENT_CHARS = 64 * 1024;
export const MAX_TURN_TEXT_CHARS = 1024 * 1024;

/** "64 KiB", "1.5 MiB": a size for people. */
export function formatSize(chars: number): string {
  if (chars < 1024) return `${chars} characters`;
  if (chars < 1024 * 1024) return `${Math.round(chars / 1024)} KiB`;
  return `${(chars / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MiB`;
}

/** Telegram lets bots download files up to 20 MB; the same cap holds for any surface. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** Files one prompt may carry. */
export const MAX_ATTACHMENTS = 10;

/** "820 bytes", "1.5 MB", "20 MB": a file size for people (1024-based, as Telegram counts its limits). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

/** Telegram takes documents up to 50 MB from bots; /get refuses larger files on the machine. */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
/** Files a finished turn offers as buttons. */
export const MAX_TURN_FILES = 8;

/** Claude sessions started on a machine (its transcripts) that /desk lists, newest first. */
export const MAX_TRANSCRIPTS = 30;
/** A prompt or answer shown in a list: its start, in characters. */
export const MAX_EXCERPT_CHARS = 300;
/** Subfolders one page of the folder picker may ask for. */
export const MAX_FOLDER_PAGE = 50;
/** Folders `/cd name` reports as matching (more: the owner types more of the name). */
export const MAX_FOLDER_MATCHES = 20;
