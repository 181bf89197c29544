import { compareEntities, conflicts, kindOf, rankOf, withRange, type Span } from "./rules";
import type { FormattedText, MessageEntity } from "./types";
import { SpanIndex } from "./span-index";
import { safeUrl } from "./url";
import { splitsPair } from "./utf16";

type Item = Span & { e: MessageEntity };

/**
 * Makes any entity list valid for `text`: clamps ranges, moves boundaries out of surrogate
 * pairs, trims trailing whitespace, drops empty or whitespace-only entities, resolves overlaps and
 * forbidden nesting (formatting is cut around what it may not wrap, anything else is dropped), and
 * keeps at most `max` entities, dropping the least important and innermost first.
 */
export function normalizeEntities(text: string, entities: readonly MessageEntity[], max = Infinity): MessageEntity[] {
  const items: Item[] = [];
  for (const e of entities) {
    const item = prepare(text, e);
    if (item) items.push(item);
  }
  items.sort((a, b) => rankOf(a.type) - rankOf(b.type) || a.start - b.start || b.end - a.end);
  const kept = new SpanIndex<Item>();
  for (const item of items) {
    if (kindOf(item.type) === "format") {
      for (const piece of carve(text, item, kept)) kept.add(piece);
    } else if (!kept.find(item.start, item.end, (k) => conflicts(item, k))) {
      kept.add(item);
    }
  }
  const capped = kept.all.length > max ? cap(kept.all, max) : kept.all;
  return capped.map((k) => withRange(k.e, k.start, k.end - k.start)).sort(compareEntities);
}

export function normalizeFormatted(ft: FormattedText, max = Infinity): FormattedText {
  return { text: ft.text, entities: normalizeEntities(ft.text, ft.entities, max) };
}

function prepare(text: string, e: MessageEntity): Item | null {
  if (!e || typeof e.type !== "string" || !Number.isFinite(e.offset) || !Number.isFinite(e.length)) return null;
  if (e.type === "text_link" && (typeof e.url !== "string" || !safeUrl(e.url))) return null;
  let start = Math.max(0, Math.floor(e.offset));
  let end = Math.min(text.length, Math.floor(e.offset) + Math.floor(e.length));
  if (splitsPair(text, start)) start--;
  if (splitsPair(text, end)) end++;
  end = trimEnd(text, start, end);
  return end > start ? { type: e.type, start, end, e } : null;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text.charAt(end - 1))) end--;
  return end;
}

/** Pieces of a formatting entity that fit among the entities already kept. */
function carve(text: string, item: Item, kept: SpanIndex<Item>): Item[] {
  const out: Item[] = [];
  const queue: Array<[number, number]> = [[item.start, item.end]];
  while (queue.length > 0) {
    const [start, rawEnd] = queue.pop()!;
    const end = trimEnd(text, start, rawEnd);
    if (end <= start) continue;
    const piece: Item = { type: item.type, start, end, e: item.e };
    const hit = kept.find(start, end, (k) => conflicts(piece, k));
    if (!hit) {
      // The same formatting already covering this piece makes it redundant.
      if (!kept.find(start, end, (k) => k.type === piece.type && k.start <= start && end <= k.end)) out.push(piece);
      continue;
    }
    const inside = hit.start <= start && end <= hit.end;
    const around = start <= hit.start && hit.end <= end;
    if (inside) continue;
    if (around) {
      queue.push([start, hit.start], [hit.end, end]);
    } else {
      const cut = hit.start > start && hit.start < end ? hit.start : hit.end;
      queue.push([start, cut], [cut, end]);
    }
  }
  return out;
}

function cap(kept: readonly Item[], max: number): Item[] {
  const depth = new Map<Item, number>();
  for (const a of kept) depth.set(a, kept.filter((b) => b !== a && b.start <= a.start && a.end <= b.end).length);
  const byLeastUseful = [...kept].sort(
    (a, b) => rankOf(b.type) - rankOf(a.type) || depth.get(b)! - depth.get(a)! || b.start - a.start,
  );
  const drop = new Set(byLeastUseful.slice(0, kept.length - max));
  return kept.filter((k) => !drop.has(k));
}
