import { normalizeEntities } from "./normalize";
import { withRange } from "./rules";
import { MAX_ENTITIES, type FormattedText, type MessageEntity } from "./types";

/**
 * The part of `ft` in [start, end), trailing whitespace dropped. An entity crossing a boundary is
 * cut to the part inside, so a `pre` stays a `pre` with its language on both sides of a cut.
 * Callers keep `start`/`end` outside surrogate pairs; normalisation guards the rest.
 */
export function sliceFormatted(ft: FormattedText, start: number, end: number): FormattedText {
  const text = ft.text.slice(start, end).trimEnd();
  const stop = start + text.length;
  const entities: MessageEntity[] = [];
  for (const e of ft.entities) {
    const from = Math.max(e.offset, start);
    const to = Math.min(e.offset + e.length, stop);
    if (to > from) entities.push(withRange(e, from - start, to - from));
  }
  return { text, entities: normalizeEntities(text, entities, MAX_ENTITIES) };
}
