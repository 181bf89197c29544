import { truncateFormatted, type FormattedText } from "./format";
import { TELEGRAM_TEXT_LIMIT, type MessageEntity } from "./format/types";
import { MASKED_NOTE, maskSecrets, secretRanges } from "./mask-secrets";

/**
 * The last check before text leaves for Telegram (Messenger runs every message through it):
 * secrets are masked, entities moved to match, and a note added when something was masked. An
 * entity that only covered a secret disappears; a link whose URL carries one is masked too.
 */
export function maskFormatted(ft: FormattedText, options: { limit?: number; note?: boolean } = {}): FormattedText {
  const limit = options.limit ?? TELEGRAM_TEXT_LIMIT;
  const ranges = secretRanges(ft.text);
  const urlsMasked = ft.entities.some((e) => e.type === "text_link" && maskSecrets(e.url).masked > 0);
  if (ranges.length === 0 && !urlsMasked) return ft;

  let text = "";
  let at = 0;
  for (const r of ranges) {
    text += ft.text.slice(at, r.start) + r.replacement;
    at = r.end;
  }
  text += ft.text.slice(at);

  /** Where an old position lands; a position inside a secret moves past its replacement. */
  const move = (pos: number) => {
    let shift = 0;
    for (const r of ranges) {
      if (pos >= r.end) shift += r.replacement.length - (r.end - r.start);
      else if (pos > r.start) return r.start + shift + r.replacement.length;
      else break;
    }
    return pos + shift;
  };
  const entities: MessageEntity[] = [];
  for (const e of ft.entities) {
    const start = move(e.offset);
    const length = move(e.offset + e.length) - start;
    if (length <= 0) continue;
    entities.push({ ...e, offset: start, length, ...(e.type === "text_link" ? { url: maskSecrets(e.url).text } : {}) } as MessageEntity);
  }
  const masked = { text, entities };
  const note = `\n\n${MASKED_NOTE}`;
  if (options.note !== false && !text.includes(MASKED_NOTE) && text.length + note.length <= limit) return { text: text + note, entities };
  return truncateFormatted(masked, limit);
}
