import { sliceFormatted } from "./slice";
import { DEFAULT_SPLIT_LIMIT, type FormattedText } from "./types";
import { safeCut } from "./utf16";

/** Share of the window, from its end, searched for a natural break before cutting hard. */
const BREAK_WINDOW = 0.25;

/**
 * Splits into pieces of at most `limit` UTF-16 units, cutting at a paragraph break, else a line
 * break, else a space in the last quarter of the window, else hard (never inside a surrogate
 * pair). Whitespace at a cut is dropped, as are leading newlines of continuation pieces. Every
 * piece is non-empty and has valid entities (at most MAX_ENTITIES).
 */
export function splitFormatted(ft: FormattedText, limit: number = DEFAULT_SPLIT_LIMIT): FormattedText[] {
  const max = Math.max(2, Math.floor(Number.isFinite(limit) ? limit : DEFAULT_SPLIT_LIMIT));
  const { text } = ft;
  const pieces: FormattedText[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (pieces.length > 0) {
      while (text[pos] === "\n") pos++;
      if (pos >= text.length) break;
    }
    const [end, next] = text.length - pos <= max ? [text.length, text.length] : findCut(text, pos, max);
    const piece = sliceFormatted(ft, pos, end);
    if (piece.text.trim()) pieces.push(piece);
    pos = next;
  }
  return pieces;
}

/** [end of this piece, start of the next] for a piece starting at `pos`. */
function findCut(text: string, pos: number, max: number): [number, number] {
  const last = pos + max;
  const floor = pos + Math.max(1, Math.floor(max * (1 - BREAK_WINDOW)));
  const paragraph = text.lastIndexOf("\n\n", last);
  if (paragraph >= floor) return [paragraph, paragraph + 2];
  const line = text.lastIndexOf("\n", last);
  if (line >= floor) return [line, line + 1];
  for (let k = last; k >= floor; k--) {
    const c = text[k];
    if (c === " " || c === "\t") return [k, k + 1];
  }
  const hard = safeCut(text, last);
  return [hard, hard];
}
