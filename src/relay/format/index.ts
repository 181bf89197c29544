import type { MessageEntity } from "grammy/types";

/** Telegram text plus entities (offsets in UTF-16 units): nothing to escape, nothing to mis-parse. */
export type FormattedText = { text: string; entities: MessageEntity[] };

export const plain = (text: string): FormattedText => ({ text, entities: [] });
/** An entity before it is placed: its type and the extra fields some types carry. */
export type EntitySpec = { type: MessageEntity["type"]; language?: string; url?: string };

const wrap = (text: string, entity: EntitySpec): FormattedText =>
  text.length ? { text, entities: [{ ...entity, offset: 0, length: text.length } as MessageEntity] } : plain(text);
export const bold = (text: string) => wrap(text, { type: "bold" });
export const italic = (text: string) => wrap(text, { type: "italic" });
export const code = (text: string) => wrap(text, { type: "code" });
export const pre = (text: string, language?: string) => wrap(text, language ? { type: "pre", language } : { type: "pre" });
export const link = (text: string, url: string) => wrap(text, { type: "text_link", url });
export const blockquote = (text: string, expandable = false) => wrap(text, { type: expandable ? "expandable_blockquote" : "blockquote" });

export function concatFormatted(...parts: FormattedText[]): FormattedText {
  let text = "";
  const entities: MessageEntity[] = [];
  for (const part of parts) {
    for (const e of part.entities) entities.push({ ...e, offset: e.offset + text.length });
    text += part.text;
  }
  return { text, entities };
}

export { markdownToFormatted } from "./markdown";
export { splitFormatted, truncateFormatted } from "./split";
export { validateEntities } from "./validate";
