import type { MessageEntity } from "grammy/types";
import type { FormattedText } from "./index";

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;

/** The part of `ft` in [start, end), with entities clipped (a cut code block stays code on both sides). */
function slice(ft: FormattedText, start: number, end: number): FormattedText {
  const entities: MessageEntity[] = [];
  for (const e of ft.entities) {
    const from = Math.max(e.offset, start);
    const to = Math.min(e.offset + e.length, end);
    if (to > from) entities.push({ ...e, offset: from - start, length: to - from });
  }
  return { text: ft.text.slice(start, end), entities };
}

function cutPoint(text: string, start: number, limit: number): number {
  const end = start + limit;
  const windowStart = start + Math.floor(limit * 0.75);
  for (const sep of ["\n\n", "\n", " "]) {
    const at = text.lastIndexOf(sep, end - sep.length);
    if (at >= windowStart) return at + sep.length;
  }
  return isHigh(text.charCodeAt(end - 1)) ? end - 1 : end;
}

/** Splits into pieces of at most `limit` UTF-16 units, preferring paragraph, then line breaks. */
export function splitFormatted(ft: FormattedText, limit = 4000): FormattedText[] {
  const pieces: FormattedText[] = [];
  let start = 0;
  while (ft.text.length - start > limit) {
    const cut = cutPoint(ft.text, start, limit);
    pieces.push(trimEnd(slice(ft, start, cut)));
    start = cut;
    while (ft.text[start] === "\n") start++;
  }
  pieces.push(slice(ft, start, ft.text.length));
  return pieces.filter((p) => p.text.trim().length > 0).map((p) => p);
}

function trimEnd(ft: FormattedText): FormattedText {
  const text = ft.text.replace(/\s+$/, "");
  const entities = ft.entities
    .map((e) => ({ ...e, length: Math.min(e.length, text.length - e.offset) }))
    .filter((e) => e.length > 0);
  return { text, entities };
}

export function truncateFormatted(ft: FormattedText, max: number, ellipsis = "…"): FormattedText {
  if (ft.text.length <= max) return ft;
  let end = max - ellipsis.length;
  if (isHigh(ft.text.charCodeAt(end - 1))) end--;
  const cut = slice(ft, 0, end);
  return { text: cut.text + ellipsis, entities: cut.entities };
}
