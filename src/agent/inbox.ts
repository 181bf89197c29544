import { mkdir, mkdtemp, open, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, relative, sep } from "node:path";
import type { Attachment } from "../proto";
import { attachmentPath } from "../proto/http";
import { formatBytes, MAX_ATTACHMENT_BYTES } from "../proto/limits";
import type { PromptImage } from "../runner/types";

/** The largest image claude is given as an image; a larger one is still saved and named as a file. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** A file that could not be brought to the machine; the message says which and why. */
export class InboxError extends Error {}

/** The prompt as claude gets it: the owner's text plus where the files are, and the images themselves. */
export type Delivered = { text: string; images: PromptImage[]; saved: string[] };

export type InboxDeps = {
  /** The relay's base URL (https://relay.example.com) and this machine's token. */
  relay: string;
  token: string;
  fetch?: typeof fetch;
};

/**
 * Brings a prompt's files to the machine: into `.ra/inbox/` of the session's folder (a private temp
 * folder when the session only reads), each under a safe name of its own, never outside that folder
 * and never over an existing file.
 */
export class Inbox {
  constructor(private readonly deps: InboxDeps) {}

  async receive(turnId: string, text: string, attachments: readonly Attachment[], cwd: string, readOnly: boolean, signal: AbortSignal): Promise<Delivered> {
    const dir = readOnly ? await mkdtemp(join(tmpdir(), "ra-inbox-")) : await projectInbox(cwd);
    const images: PromptImage[] = [];
    const saved: string[] = [];
    const lines: string[] = [];
    for (const attachment of attachments) {
      const { path, bytes } = await this.download(turnId, attachment, dir, signal);
      saved.push(path);
      const shown = readOnly ? path : relative(cwd, path);
      lines.push(`- ${shown} (${attachment.mime}, ${formatBytes(bytes.length)})`);
      if (attachment.kind === "image" && bytes.length <= MAX_IMAGE_BYTES) images.push({ mediaType: attachment.mime, base64: Buffer.from(bytes).toString("base64") });
    }
    const where = `The owner attached ${attachments.length === 1 ? "a file" : `${attachments.length} files`}, saved on this machine:`;
    return { text: `${text}\n\n${where}\n${lines.join("\n")}`, images, saved };
  }

  private async download(turnId: string, attachment: Attachment, dir: string, signal: AbortSignal): Promise<{ path: string; bytes: Uint8Array }> {
    const url = this.deps.relay + attachmentPath(turnId, attachment.id);
    let response: Response;
    try {
      response = await (this.deps.fetch ?? fetch)(url, { headers: { authorization: `Bearer ${this.deps.token}` }, signal });
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw new InboxError(`${attachment.name}: the relay could not be reached (${(cause as Error).message})`);
    }
    if (!response.ok) {
      const why = await response.json().then((b) => (b as { message?: string }).message, () => undefined);
      throw new InboxError(`${attachment.name}: the relay answered ${response.status}${why ? ` (${why})` : ""}`);
    }
    const limit = Math.min(MAX_ATTACHMENT_BYTES, attachment.size || MAX_ATTACHMENT_BYTES);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body!) {
      total += chunk.length;
      if (total > limit) throw new InboxError(`${attachment.name}: more bytes arrived than the ${formatBytes(limit)} announced`);
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks);
    return { path: await writeNew(dir, safeName(attachment.name), bytes), bytes };
  }
}

/** `.ra/inbox` in the project, kept out of git, and refused when it leads out of the project. */
async function projectInbox(cwd: string): Promise<string> {
  const ra = join(cwd, ".ra");
  const inbox = join(ra, "inbox");
  await mkdir(inbox, { recursive: true, mode: 0o700 });
  const [realInbox, realCwd] = await Promise.all([realpath(inbox), realpath(cwd)]);
  if (!realInbox.startsWith(realCwd + sep)) throw new InboxError(`${inbox} leads outside the project folder (a symlink?); remove it and send the file again`);
  // The inbox holds what the owner sent, not project files: keep it out of commits.
  await writeFile(join(ra, ".gitignore"), "*\n", { flag: "wx" }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  return realInbox;
}

/** A name that stays one file in the inbox: no folders, no control characters, no hidden files. */
export function safeName(name: string): string {
  const base = basename(name.replaceAll("\\", "/")).replace(/[\u0000-\u001f\u007f]/g, "").replace(/^\.+/, "").trim();
  if (!base) return "file";
  const ext = extname(base).slice(0, 16);
  const stem = base.slice(0, base.length - extname(base).length).slice(0, 100) || "file";
  return stem + ext;
}

/** Writes a new file under `name`, or `name-1`, `name-2`… when taken; never follows or replaces anything there. */
async function writeNew(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 0; ; n++) {
    const path = join(dir, n === 0 ? name : `${stem}-${n}${ext}`);
    try {
      const file = await open(path, "wx", 0o600);
      try {
        await file.writeFile(bytes);
      } finally {
        await file.close();
      }
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || n >= 999) throw err;
    }
  }
}
