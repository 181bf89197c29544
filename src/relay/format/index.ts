/**
 * Claude's Markdown → Telegram `text` + `entities` (never parse_mode), and splitting of long
 * formatted text into messages. Pure functions; offsets are UTF-16 code units throughout.
 * @module
 */
export { blockquote, bold, code, concatFormatted, italic, link, plain, pre } from "./builders";
export { markdownToFormatted } from "./markdown";
export { normalizeFormatted } from "./normalize";
export { splitFormatted } from "./split";
export { truncateFormatted } from "./truncate";
export { DEFAULT_SPLIT_LIMIT, MAX_ENTITIES, TELEGRAM_TEXT_LIMIT, type FormattedText } from "./types";
export { validateEntities } from "./validate";
