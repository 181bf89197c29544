/** Helpers for JS strings as UTF-16: a boundary must never fall inside a surrogate pair. */

export function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when index `i` sits between the two halves of a surrogate pair. */
export function splitsPair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

/** Moves a cut back by one unit if it would split a surrogate pair. */
export function safeCut(text: string, i: number): number {
  return splitsPair(text, i) ? i - 1 : i;
}

/** Replaces lone surrogates (which Telegram rejects as invalid UTF-8) without changing length. */
export function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** The code point that ends just before `i` ("" at the start). */
export function charBefore(text: string, i: number): string {
  if (i <= 0) return "";
  const c = text.charCodeAt(i - 1);
  if (isLow(c) && i >= 2 && isHigh(text.charCodeAt(i - 2))) return text.slice(i - 2, i);
  return text.charAt(i - 1);
}

/** The code point that starts at `i` ("" at the end). */
export function charAt(text: string, i: number): string {
  if (i >= text.length) return "";
  const cp = text.codePointAt(i)!;
  return String.fromCodePoint(cp);
}
