import { realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import { untrusted, type Log } from "../log";
import type { FileRequest } from "../proto";
import { FILE_NAME_HEADER, filePath, type FileRefused } from "../proto/http";
import { formatBytes, MAX_DOCUMENT_BYTES } from "../proto/limits";
import type { z } from "../proto/zod";
import { insideRoots, resolveCwd, type MachineLimits } from "./limits";
import { turnDiffPath } from "./turn-diffs";

type FileRequestT = z.infer<typeof FileRequest>;

export type FileSenderDeps = {
  relay: string;
  token: string;
  limits: MachineLimits;
  log: Log;
  fetch?: typeof fetch;
  answersDir: string;
  /** The session's folder as its claude sees it (its git worktree's copy of `cwd` for /new worktree). */
  folderFor?(sessionId: string, cwd: string): string;
};

/**
 * /get from the phone: finds the file in the session's folder, checks it is inside the machine's
 * roots and small enough for Telegram, and uploads it to the relay (or tells it why not).
 */
export class FileSender {
  constructor(private readonly deps: FileSenderDeps) {}

  async send(frame: FileRequestT): Promise<void> {
    const found = await this.find(frame);
    const url = this.deps.relay + filePath(frame.requestId);
    const headers = { authorization: `Bearer ${this.deps.token}` };
    const post = this.deps.fetch ?? fetch;
    try {
      if ("refused" in found) {
        this.deps.log.info(`not sending ${untrusted(frame.path)}: ${found.refused}`);
        await post(`${url}/refused`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ message: found.refused } satisfies FileRefused) });
        return;
      }
      this.deps.log.info(`sending ${untrusted(found.path)} (${formatBytes(found.size)}) to the owner`);
      const response = await post(url, { method: "POST", headers: { ...headers, [FILE_NAME_HEADER]: encodeURIComponent(found.name ?? basename(found.path)), "content-type": "application/octet-stream" }, body: Bun.file(found.path) });
      if (!response.ok) this.deps.log.warn(`the relay did not take ${untrusted(found.path)}: ${response.status} ${untrusted(await response.text(), 300)}`);
    } catch (err) {
      this.deps.log.warn(`could not send ${untrusted(frame.path)} to the relay: ${(err as Error).message}`);
    }
  }

  private async find(frame: FileRequestT): Promise<{ path: string; size: number; name?: string } | { refused: string }> {
    if (frame.diffOf) {
      const path = turnDiffPath(this.deps.answersDir, frame.diffOf);
      const info = await stat(path).catch(() => undefined);
      return info ? { path, size: info.size, name: `changes-${frame.diffOf}.diff` } : { refused: "the changes of that turn are no longer kept on this machine (it keeps the last 50)" };
    }
    const resolved = resolveCwd(this.deps.limits, frame.cwd);
    if ("error" in resolved) return { refused: resolved.error };
    const where = { cwd: this.deps.folderFor?.(frame.sessionId, resolved.cwd) ?? resolved.cwd };
    if (frame.path.includes("\0")) return { refused: "the path contains a NUL byte" };
    const wanted = isAbsolute(frame.path) ? frame.path : resolve(where.cwd, frame.path);
    let real: string;
    try {
      real = await realpath(wanted);
    } catch {
      return { refused: `there is no ${frame.path} in ${where.cwd}` };
    }
    if (!insideRoots(this.deps.limits, real)) return { refused: `${frame.path} is outside the folders this machine allows (${this.deps.limits.roots.join(", ")})` };
    const info = await stat(real);
    if (!info.isFile()) return { refused: `${frame.path} is ${info.isDirectory() ? "a folder" : "not a regular file"}; /get sends one file` };
    if (info.size === 0) return { refused: `${frame.path} is empty; Telegram does not take empty files` };
    if (info.size > MAX_DOCUMENT_BYTES) return { refused: `${frame.path} is ${formatBytes(info.size)}; Telegram takes files up to ${formatBytes(MAX_DOCUMENT_BYTES)} from bots. Compress it, or send a part` };
    return { path: real, size: info.size };
  }
}
