/**
 * Masks what looks like a credential before text reaches Telegram (chat history is stored on
 * Telegram's servers and on every device of the owner). Keeps enough to recognise what it was.
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

export function maskSecrets(text: string): { text: string; masked: number } {
  let masked = 0;
  const count = <T extends unknown[]>(fn: (...args: T) => string) => (...args: T) => {
    masked++;
    return fn(...args);
  };
  let out = text.replace(PRIVATE_KEY, count((_m: string, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- …[masked]`));
  for (const re of TOKEN_PATTERNS) out = out.replace(re, count((m: string) => mask(m)));
  out = out.replace(ASSIGNMENT, count((_m: string, key: string, quote: string, value: string) => `${key}${quote}${value.includes("[masked]") ? value : mask(value)}${quote}`));
  out = out.replace(URL_PASSWORD, count((_m: string, head: string) => `${head}…[masked]@`));
  return { text: out, masked };
}

export const MASKED_NOTE = "🔒 Something that looked like a secret was masked.";
