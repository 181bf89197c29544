/** Masks secrets ra handles itself (device tokens, bot tokens, pairing secrets) in any text it logs. */
const PATTERNS: RegExp[] = [
  /ra_dev_[A-Za-z0-9]{20,}/g,
  /\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g,
  /(authorization:\s*bearer\s+)[^\s"']+/gi,
  /\bbot\d{5,}:[A-Za-z0-9_-]+/g,
];

export function redact(text: string): string {
  let out = text;
  for (const re of PATTERNS) out = out.replace(re, (m, prefix?: string) => (typeof prefix === "string" && prefix && m.startsWith(prefix) ? `${prefix}[redacted]` : "[redacted]"));
  return out;
}
