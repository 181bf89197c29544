import type { MessageEntity } from "./types";

/**
 * Telegram's nesting rules (Bot API "formatting options"): bold, italic, underline,
 * strikethrough and spoiler may wrap anything except pre and code; blockquotes cannot nest;
 * other entities cannot contain each other; overlapping entities must fully contain one another.
 * Reading taken here: code/pre contain nothing and sit only inside a blockquote.
 */
type Kind = "format" | "mono" | "quote" | "other";

const KIND: Record<string, Kind> = {
  bold: "format",
  italic: "format",
  underline: "format",
  strikethrough: "format",
  spoiler: "format",
  code: "mono",
  pre: "mono",
  blockquote: "quote",
  expandable_blockquote: "quote",
};

export function kindOf(type: string): Kind {
  return KIND[type] ?? "other";
}

/** Lower is more important: kept first when resolving conflicts, dropped last at the cap. */
const RANK: Record<string, number> = {
  pre: 0,
  blockquote: 1,
  expandable_blockquote: 1,
  text_link: 2,
  code: 3,
  bold: 5,
  italic: 6,
  strikethrough: 7,
  underline: 8,
  spoiler: 9,
};

export function rankOf(type: string): number {
  return RANK[type] ?? 4;
}

export function allowedInside(outer: string, inner: string): boolean {
  const o = kindOf(outer);
  const i = kindOf(inner);
  if (i === "mono") return o === "quote";
  if (o === "mono") return false;
  if (o === "format" || i === "format") return true;
  if (o === "quote") return i !== "quote";
  return false;
}

export type Span = { type: string; start: number; end: number };

/** True when two ranges cannot both be present (partial overlap or forbidden nesting). */
export function conflicts(a: Span, b: Span): boolean {
  if (a.end <= b.start || b.end <= a.start) return false;
  const aHoldsB = a.start <= b.start && b.end <= a.end;
  const bHoldsA = b.start <= a.start && a.end <= b.end;
  if (aHoldsB && bHoldsA) return !allowedInside(a.type, b.type) && !allowedInside(b.type, a.type);
  if (aHoldsB) return !allowedInside(a.type, b.type);
  if (bHoldsA) return !allowedInside(b.type, a.type);
  return true;
}

/** A fresh entity at a new range, keeping `url`/`language` and nothing else. */
export function withRange(e: MessageEntity, offset: number, length: number): MessageEntity {
  if (e.type === "pre") return e.language ? { type: "pre", offset, length, language: e.language } : { type: "pre", offset, length };
  if (e.type === "text_link") return { type: "text_link", offset, length, url: e.url };
  return { ...e, offset, length } as MessageEntity;
}

/** Output order: by offset, outer before inner, then by importance. */
export function compareEntities(a: MessageEntity, b: MessageEntity): number {
  return a.offset - b.offset || b.length - a.length || rankOf(a.type) - rankOf(b.type);
}
