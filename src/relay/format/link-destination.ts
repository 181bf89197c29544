const MAX_DESTINATION = 2048;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;

/** `(url "title")` after a link label, starting just past the `(`; null if malformed. */
export function parseDestination(src: string, from: number): { url: string; end: number } | null {
  let p = skipSpace(src, from);
  let url: string;
  if (src[p] === "<") {
    const close = src.indexOf(">", p);
    if (close < 0 || close - p > MAX_DESTINATION || src.slice(p, close).includes("\n")) return null;
    url = src.slice(p + 1, close);
    p = close + 1;
  } else {
    const start = p;
    let depth = 0;
    for (; p < src.length; p++) {
      const c = src[p]!;
      if (p - start > MAX_DESTINATION || c.charCodeAt(0) < 0x20) break;
      if (c === "\\" && ASCII_PUNCT.test(src[p + 1] ?? "")) p++;
      else if (c === "(") depth++;
      else if (c === ")" && depth-- === 0) break;
      else if (c === " ") break;
    }
    if (p - start > MAX_DESTINATION) return null;
    url = src.slice(start, p);
  }
  url = url.replace(/\\([!-/:-@[-`{-~])/g, "$1");
  const afterUrl = p;
  p = skipSpace(src, p);
  const quote = src[p];
  if (p > afterUrl && (quote === '"' || quote === "'" || quote === "(")) {
    const close = src.indexOf(quote === "(" ? ")" : quote, p + 1);
    if (close < 0) return null;
    p = skipSpace(src, close + 1);
  }
  return src[p] === ")" ? { url, end: p + 1 } : null;
}

function skipSpace(src: string, p: number): number {
  while (src[p] === " " || src[p] === "\t" || src[p] === "\n") p++;
  return p;
}
