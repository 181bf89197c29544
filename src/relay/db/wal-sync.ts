import { fdatasync, openSync } from "node:fs";
import type { Sync } from "./group-commit";

/**
 * fdatasync of the database's write-ahead log, on the thread pool: once it calls back, every
 * transaction committed before it is on the disk and survives an OS crash or a power cut.
 */
export function walSync(dbPath: string): Sync {
  let fd: number | undefined;
  return (done) => {
    try {
      fd ??= openSync(`${dbPath}-wal`, "r");
    } catch (err) {
      return done(err);
    }
    fdatasync(fd, (err) => done(err ?? undefined));
  };
}
