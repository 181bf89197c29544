/**
 * The regex masker as it was before the linear-time scanner (src/secret-scan.ts): kept only as the
 * reference the scanner is checked against on small random inputs (it backtracks quadratically on
 * large adversarial ones; never use it on real text).
 */
const TOKEN_PATTERNS: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{20,}/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\b[rs]k_live_[0-9A-Za-z]{24,}\b/g,
  /\b\d{8,10}:[A-Za-z0-9_-]{35}\b/g,
  /\bra_dev_[A-Za-z0-9]{20,}/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
];
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
const ASSIGNMENT = /^(\s*(?:export\s+)?["']?[A-Za-z0-9_.-]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)[A-Za-z0-9_.-]*["']?\s*[=:]\s*)(["']?)([^\s"'#]{4,})\2/gim;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]{3,})@/gi;

const mask = (secret: string) => `${secret.slice(0, 4)}…[masked]`;

/** One stretch of text to replace: [start, end) in UTF-16 units. */
export type SecretRange = { start: number; end: number; replacement: string };

/** Where the secrets are in `text` and what each becomes; sorted, never overlapping. */
export function secretRanges(text: string): SecretRange[] {
  const found: SecretRange[] = [];
  for (const m of text.matchAll(PRIVATE_KEY)) found.push({ start: m.index, end: m.index + m[0].length, replacement: `-----BEGIN ${m[1]}PRIVATE KEY----- …[masked]` });
  for (const re of TOKEN_PATTERNS) for (const m of text.matchAll(re)) found.push({ start: m.index, end: m.index + m[0].length, replacement: mask(m[0]) });
  for (const m of text.matchAll(ASSIGNMENT)) {
    const start = m.index + m[1]!.length + m[2]!.length;
    found.push({ start, end: start + m[3]!.length, replacement: mask(m[3]!) });
  }
  for (const m of text.matchAll(URL_PASSWORD)) {
    const start = m.index + m[1]!.length;
    found.push({ start, end: start + m[2]!.length, replacement: "…[masked]" });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: SecretRange[] = [];
  for (const r of found) if (kept.length === 0 || r.start >= kept.at(-1)!.end) kept.push(r);
  // Text masked once (the answer, before it is rendered) stays as it is.
  return kept.filter((r) => !text.slice(r.start, r.end).includes("[masked]"));
}

export function maskSecrets(text: string): { text: string; masked: number } {
  const ranges = secretRanges(text);
  let out = "";
  let at = 0;
  for (const r of ranges) {
    out += text.slice(at, r.start) + r.replacement;
    at = r.end;
  }
  return { text: out + text.slice(at), masked: ranges.length };
}

export const MASKED_NOTE = "🔒 Something that looked like a secret was masked.";
