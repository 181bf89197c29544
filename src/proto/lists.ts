import { z } from "./zod";
import { Id, text } from "./common";
import { MAX_EXCERPT_CHARS, MAX_FOLDER_MATCHES, MAX_FOLDER_PAGE, MAX_TRANSCRIPTS } from "./limits";
import { PROTOCOL_VERSION } from "./version";

const V = z.literal(PROTOCOL_VERSION);
const count = () => z.int().check(z.nonnegative());
const excerpt = () => z.optional(text(MAX_EXCERPT_CHARS));

/**
 * The relay asks a machine for a list it alone can make: claude's transcripts under its roots
 * (`query`: just the one with that id), one page of a folder's subfolders (`path`, `offset`,
 * `limit`), or the folders called `query` (/cd name). The machine answers with a ListResult.
 */
export const ListRequest = z.object({
  v: V,
  type: z.literal("list.request"),
  requestId: Id,
  kind: z.enum(["transcripts", "folders", "find"]),
  path: z.optional(text(4096)),
  query: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  offset: z.optional(count().check(z.maximum(1_000_000))),
  limit: z.optional(z.int().check(z.positive(), z.maximum(MAX_FOLDER_PAGE))),
});

/** A conversation claude keeps on the machine (started in a terminal, or by ra). */
export const TranscriptItem = z.object({
  /** claude's session id: what `claude --resume` takes. */
  id: Id,
  cwd: text(4096),
  firstPrompt: excerpt(),
  lastPrompt: excerpt(),
  lastAnswer: excerpt(),
  /** When it last changed, ms since epoch (the machine's clock). */
  lastActivity: z.number(),
  size: count(),
  /** Its folder no longer exists. */
  missing: z.optional(z.boolean()),
});

export const FolderItem = z.object({ name: text(1024), path: text(4096) });

export const ListResult = z.object({
  v: V,
  type: z.literal("list.result"),
  requestId: Id,
  transcripts: z.optional(z.array(TranscriptItem).check(z.maxLength(MAX_TRANSCRIPTS))),
  /** Transcripts the machine could not read, and why. */
  skipped: z.optional(z.array(z.object({ id: Id, reason: text(500) })).check(z.maxLength(3 * MAX_TRANSCRIPTS))),
  folders: z.optional(z.object({
    /** The folder listed; null: the machine's roots. */
    path: z.nullable(text(4096)),
    /** Where "up" goes: a folder, null for the roots, absent at the top. */
    up: z.optional(z.nullable(text(4096))),
    items: z.array(FolderItem).check(z.maxLength(MAX_FOLDER_PAGE)),
    total: count(),
    offset: count(),
  })),
  found: z.optional(z.object({ paths: z.array(text(4096)).check(z.maxLength(MAX_FOLDER_MATCHES)), truncated: z.boolean() })),
  /** The machine refused (a folder outside its roots, one that vanished): for the owner. */
  error: z.optional(text(2000)),
});

export type ListRequest = z.infer<typeof ListRequest>;
export type ListResult = z.infer<typeof ListResult>;
export type TranscriptItem = z.infer<typeof TranscriptItem>;
export type FolderItem = z.infer<typeof FolderItem>;
