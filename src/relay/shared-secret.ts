/**
 * A secret several relays behind one URL (ra serve --redis) must share: the webhook's secret token
 * (Telegram delivers to any of them, whichever registered last) and the web app's signing key (a
 * browser's next request may land on another relay). Each derives it from the bot token, so there
 * is nothing to copy between them; only whoever holds the token can, and that one controls the
 * bot anyway. A new bot token gives new secrets (browsers sign in again).
 */
export function sharedSecret(botToken: string, purpose: "webhook" | "web-signing-key"): string {
  // HMAC-SHA256 keyed with the token (Bun's hasher: node:crypto costs the relay megabytes at start).
  const mac = new Bun.CryptoHasher("sha256", botToken).update(`ra ${purpose}`).digest("base64");
  return mac.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
