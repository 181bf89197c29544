import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, RaError } from "../errors";
import { shortId } from "./secrets";

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token with every webhook delivery:
 * 32 random bytes (base64url), generated on the first webhook start and kept 0600 in the data dir.
 */
export function loadWebhookSecret(dataDir: string): string {
  const file = join(dataDir, "webhook-secret");
  try {
    if (existsSync(file)) {
      const saved = readFileSync(file, "utf8").trim();
      if (SECRET_SHAPE.test(saved)) {
        chmodSync(file, 0o600);
        return saved;
      }
    }
    const secret = shortId(32);
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return secret;
  } catch (cause) {
    throw new RaError("webhook_secret", `cannot read or write the webhook secret ${file}: ${(cause as Error).message}`, {
      hint: "the data directory must be writable by the user running ra serve",
      exitCode: ExitCode.ioError,
      cause,
    });
  }
}
