import { normalizeFormatted } from "./normalize";
import type { EntityShape, FormattedText, MessageEntity } from "./types";
import { fenceLanguage, safeUrl } from "./url";
import { wellFormed } from "./utf16";

type Content = string | FormattedText;

function asFormatted(content: Content): FormattedText {
  return typeof content === "string" ? { text: wellFormed(content), entities: [] } : content;
}

/** Wraps the whole content in one entity; normalisation drops it if it would be empty or illegal. */
function wrap(content: Content, entity: EntityShape): FormattedText {
  const ft = asFormatted(content);
  const outer = { ...entity, offset: 0, length: ft.text.length } as MessageEntity;
  return normalizeFormatted({ text: ft.text, entities: [outer, ...ft.entities] });
}

export function plain(text: string): FormattedText {
  return { text: wellFormed(text), entities: [] };
}

export function bold(content: Content): FormattedText {
  return wrap(content, { type: "bold" });
}

export function italic(content: Content): FormattedText {
  return wrap(content, { type: "italic" });
}

export function code(text: string): FormattedText {
  return wrap(text, { type: "code" });
}

export function pre(text: string, language?: string): FormattedText {
  const lang = language === undefined ? undefined : fenceLanguage(language);
  return wrap(text, lang ? { type: "pre", language: lang } : { type: "pre" });
}

/** A clickable link; a URL Telegram might refuse leaves the text plain. */
export function link(content: Content, url: string): FormattedText {
  const safe = safeUrl(url);
  return safe ? wrap(content, { type: "text_link", url: safe }) : asFormatted(content);
}

export function blockquote(content: Content, expandable = false): FormattedText {
  return wrap(content, { type: expandable ? "expandable_blockquote" : "blockquote" });
}

/** Joins parts, shifting each part's entities by the length of the text before it. */
export function concatFormatted(...parts: FormattedText[]): FormattedText {
  let text = "";
  const entities: MessageEntity[] = [];
  for (const part of parts) {
    const shift = text.length;
    for (const e of part.entities) entities.push({ ...e, offset: e.offset + shift });
    text += part.text;
  }
  return { text, entities };
}
