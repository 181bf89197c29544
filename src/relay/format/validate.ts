import { conflicts, type Span } from "./rules";
import { MAX_ENTITIES, TELEGRAM_TEXT_LIMIT, type FormattedText } from "./types";
import { safeUrl } from "./url";
import { splitsPair } from "./utf16";

const KNOWN = new Set([
  "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic", "underline",
  "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre", "text_link", "text_mention",
  "custom_emoji", "date_time",
]);

/**
 * Null when Telegram would accept these entities for this text, else the first reason it would
 * not. The entity cap is checked only for text that fits in one message: longer text has to be
 * split first, and `splitFormatted` caps each piece.
 */
export function validateEntities(ft: FormattedText): string | null {
  const { text, entities } = ft;
  if (typeof text !== "string") return "text is not a string";
  if (!Array.isArray(entities)) return "entities is not an array";
  if (!text.isWellFormed()) return "text contains a lone surrogate";
  if (text.length <= TELEGRAM_TEXT_LIMIT && entities.length > MAX_ENTITIES) {
    return `${entities.length} entities (more than ${MAX_ENTITIES})`;
  }
  const spans: Span[] = [];
  for (const [i, e] of entities.entries()) {
    const where = `entity #${i} (${e.type} at ${e.offset}+${e.length})`;
    if (!KNOWN.has(e.type)) return `${where}: unknown type`;
    if (!Number.isInteger(e.offset) || !Number.isInteger(e.length)) return `${where}: offset/length not integers`;
    if (e.length <= 0) return `${where}: empty`;
    if (e.offset < 0 || e.offset + e.length > text.length) return `${where}: outside the text (length ${text.length})`;
    if (splitsPair(text, e.offset) || splitsPair(text, e.offset + e.length)) return `${where}: cuts a surrogate pair`;
    if (e.type === "text_link" && !safeUrl(e.url)) return `${where}: unsafe url`;
    if (e.type === "pre" && e.language !== undefined && typeof e.language !== "string") return `${where}: bad language`;
    spans.push({ type: e.type, start: e.offset, end: e.offset + e.length });
  }
  // Sorted outer-first, valid entities form a tree: each must fit in, and be allowed inside,
  // every entity still open at its start.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const open: Span[] = [];
  for (const span of spans) {
    while (open.length > 0 && open[open.length - 1]!.end <= span.start) open.pop();
    const bad = open.find((outer) => conflicts(outer, span));
    if (bad) return `${bad.type} at ${bad.start}..${bad.end} and ${span.type} at ${span.start}..${span.end} overlap or nest illegally`;
    open.push(span);
  }
  return null;
}
