import { maskSecrets } from "./secret-scan";

/**
 * Masks secrets in any text ra logs: the ones ra handles itself (device tokens, bot tokens,
 * Authorization headers) and everything the Telegram masker knows (API keys, private keys, …),
 * which can arrive in error texts from claude or an agent.
 */
const PATTERNS: RegExp[] = [
  /ra_dev_[A-Za-z0-9]{20,}/g,
  /\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g,
  /(authorization:\s*bearer\s+)[^\s"']+/gi,
  /\bbot\d{5,}:[A-Za-z0-9_-]+/g,
];

export function redact(text: string): string {
  let out = text;
  for (const re of PATTERNS) out = out.replace(re, (m, prefix?: string) => (typeof prefix === "string" && prefix && m.startsWith(prefix) ? `${prefix}[redacted]` : "[redacted]"));
  return maskSecrets(out).text;
}
