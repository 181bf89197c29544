/**
 * Which link targets become a `text_link`. Telegram rejects the whole message for a URL it
 * considers malformed, so anything doubtful stays plain text: only http(s) with a dotted host
 * (no `localhost`), `tg:` and `mailto:` with an address.
 */
const MAX_URL = 2048;

export function safeUrl(raw: string): string | null {
  const url = raw.trim();
  if (!url || url.length > MAX_URL || /[\s<>"\\\u0000-\u001f\u007f]/.test(url)) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "tg") return /^tg:(\/\/)?[a-z0-9_]+/i.test(url) ? url : null;
  if (scheme === "mailto") return /^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(url) ? url : null;
  if (scheme !== "http" && scheme !== "https") return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const host = parsed.hostname;
  if (!host.includes(".") || host.startsWith(".") || host.endsWith(".") || !/^\/\//.test(url.slice(scheme.length + 1))) return null;
  return url;
}

/** First word of a fence info string, reduced to characters a language name uses. */
export function fenceLanguage(info: string): string | undefined {
  const word = info.trim().split(/\s+/)[0] ?? "";
  const lang = word.replace(/[^\w+#.-]/g, "").slice(0, 32);
  return lang || undefined;
}
