import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, RaError } from "../../errors";
import { shortId } from "../secrets";

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The key that signs the web app's session tokens (HS256): 32 random bytes, generated on the
 * first start and kept 0600 in the data dir, so a restart keeps browsers signed in.
 */
export function loadWebSigningKey(dataDir: string): Uint8Array {
  const file = join(dataDir, "web-signing-key");
  try {
    if (existsSync(file)) {
      const saved = readFileSync(file, "utf8").trim();
      if (SECRET_SHAPE.test(saved)) {
        chmodSync(file, 0o600);
        return Buffer.from(saved, "base64url");
      }
    }
    const secret = shortId(32);
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return Buffer.from(secret, "base64url");
  } catch (cause) {
    throw new RaError("web_key", `cannot read or write the web app's signing key ${file}: ${(cause as Error).message}`, {
      hint: "the data directory must be writable by the user running ra serve",
      exitCode: ExitCode.ioError,
      cause,
    });
  }
}
