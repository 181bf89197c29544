import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temporary directory removed when disposed (`await using dir = tmpDir()`). */
export function tmpDir(prefix = "ra-test-") {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    [Symbol.asyncDispose]: async () => rmSync(path, { recursive: true, force: true }),
  };
}
