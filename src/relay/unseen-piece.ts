/**
 * What of an answer piece a view does not have yet, when the view already holds the first `have`
 * characters of the stored answer and the piece went there at `offset` ("" when it has all of it).
 * A piece that was not stored (no offset) is always new.
 */
export function unseenPiece(have: number, text: string, offset: number | undefined): string {
  if (offset === undefined || offset >= have) return text;
  return offset + text.length <= have ? "" : text.slice(have - offset);
}
