import { concatFormatted, plain } from "./builders";
import { normalizeFormatted } from "./normalize";
import { sliceFormatted } from "./slice";
import { MAX_ENTITIES, type FormattedText } from "./types";
import { safeCut } from "./utf16";

/** At most `max` UTF-16 units: longer text is cut (never inside a surrogate pair) and ends in `ellipsis`. */
export function truncateFormatted(ft: FormattedText, max: number, ellipsis = "…"): FormattedText {
  const limit = Math.max(0, Math.floor(Number.isFinite(max) ? max : 0));
  if (ft.text.length <= limit) return normalizeFormatted(ft, MAX_ENTITIES);
  const room = limit - ellipsis.length;
  if (room <= 0) return plain(ellipsis.slice(0, safeCut(ellipsis, limit)));
  const head = sliceFormatted(ft, 0, safeCut(ft.text, room));
  return concatFormatted(head, plain(ellipsis));
}
