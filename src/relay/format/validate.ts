import type { FormattedText } from "./index";

const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** null when Telegram would accept the entities; otherwise why not. */
export function validateEntities(ft: FormattedText): string | null {
  const sorted = [...ft.entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  for (const [i, e] of sorted.entries()) {
    if (e.length <= 0 || e.offset < 0 || e.offset + e.length > ft.text.length) return `entity ${i} (${e.type}) is out of range`;
    if (isLow(ft.text.charCodeAt(e.offset)) || isLow(ft.text.charCodeAt(e.offset + e.length))) return `entity ${i} cuts a surrogate pair`;
  }
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      if (b.offset >= a.offset + a.length) break;
      if (b.offset + b.length > a.offset + a.length) return `${a.type} and ${b.type} overlap without nesting`;
      if (a.type === "code" || a.type === "pre") return `${b.type} inside ${a.type}`;
      if (a.type.includes("blockquote") && b.type.includes("blockquote")) return "nested blockquotes";
    }
  }
  return null;
}
