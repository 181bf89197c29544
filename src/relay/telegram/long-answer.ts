import { concatFormatted, italic, plain, splitFormatted, type FormattedText } from "../format";
import { sliceFormatted } from "../format/slice";
import { DEFAULT_SPLIT_LIMIT } from "../format/types";
import { safeCut } from "../format/utf16";

/** Room the tail leaves for its "…" header within one message. */
const TAIL_LIMIT = DEFAULT_SPLIT_LIMIT - 200;

export type Layout = { pieces: FormattedText[]; overflow: boolean };

/**
 * The messages a turn occupies: the split pieces if there are at most `maxMessages`; otherwise the
 * first `maxMessages - 1` pieces stay as they are and the last message is a live tail (the end of
 * the text, cut at a line break), the whole answer going out as a file when the turn ends.
 */
export function layoutMessages(whole: FormattedText, maxMessages: number, finished = false): Layout {
  const pieces = splitFormatted(whole);
  const max = Math.max(1, Math.floor(maxMessages));
  if (pieces.length <= max) return { pieces, overflow: false };
  const head = pieces.slice(0, max - 1);
  // Where the head ends in `whole` (each piece is an exact substring, in order).
  let headEnd = 0;
  for (const piece of head) headEnd = whole.text.indexOf(piece.text, headEnd) + piece.text.length;
  const text = whole.text;
  let start = Math.max(headEnd, text.length - TAIL_LIMIT);
  const lineBreak = text.indexOf("\n", start);
  start = lineBreak !== -1 && lineBreak - start < 400 ? lineBreak + 1 : safeCut(text, start);
  const note = italic(finished ? "… the whole answer is in the file below" : `… ${head.length ? "more above; " : ""}the whole answer comes as a file at the end`);
  const tail = concatFormatted(note, plain("\n\n"), sliceFormatted(whole, start, text.length));
  return { pieces: [...head, tail], overflow: true };
}
