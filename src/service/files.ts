/** Small file helpers for service files: atomic writes with the final mode from the start. */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ExitCode, RaError } from "../errors";

/** Writes `content` unless the file already holds exactly that (with that mode); true when it wrote. */
export function writeIfChanged(path: string, content: string, mode: number): boolean {
  if (existsSync(path) && readFileSync(path, "utf8") === content && (statSync(path).mode & 0o777) === mode) return false;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (cause) {
    throw new RaError("service_write", `cannot write ${path}: ${(cause as Error).message}`, {
      hint: path.startsWith("/etc/") ? "system services need root: run it with sudo" : "check the folder's permissions",
      exitCode: ExitCode.ioError,
    });
  }
  return true;
}

/** Removes a file; true when there was one. */
export function removeFile(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    rmSync(path);
  } catch (cause) {
    throw new RaError("service_remove", `cannot remove ${path}: ${(cause as Error).message}`, {
      hint: path.startsWith("/etc/") ? "system services need root: run it with sudo" : "check the folder's permissions",
      exitCode: ExitCode.ioError,
    });
  }
  return true;
}
