import { renderBlocks } from "./blocks";
import { plain } from "./builders";
import { normalizeEntities } from "./normalize";
import { MAX_ENTITIES, TELEGRAM_TEXT_LIMIT, type FormattedText } from "./types";
import { wellFormed } from "./utf16";

/**
 * Claude's Markdown → Telegram text + entities. Tolerant of half-streamed and malformed input
 * and never throws; the result always passes `validateEntities` and is non-empty whenever the
 * input has non-whitespace content.
 */
export function markdownToFormatted(md: string): FormattedText {
  const src = wellFormed(typeof md === "string" ? md : String(md ?? "")).replace(/\r\n?|[\u2028\u2029]/g, "\n");
  try {
    const raw = renderBlocks(src.split("\n"), false);
    const text = raw.text.trimEnd();
    if (!text.trim()) return plain(src.trim());
    const max = text.length <= TELEGRAM_TEXT_LIMIT ? MAX_ENTITIES : Infinity;
    return { text, entities: normalizeEntities(text, raw.entities, max) };
  } catch {
    return plain(src.trim());
  }
}
