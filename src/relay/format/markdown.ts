import type { MessageEntity } from "grammy/types";
import type { EntitySpec, FormattedText } from "./index";

/** Inline constructs, only when complete: `code`, **bold**, __bold__, *italic*, _italic_, ~~strike~~, [text](url). */
const INLINE = /(`+)([^`\n]|[^`\n][\s\S]*?[^`\n])\1(?!`)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])|(?<!\w)_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)|~~(?=\S)([^~\n]*?\S)~~|\[([^\]\n]+)\]\(((?:https?|tg|mailto):[^)\s]+)\)/g;

class Builder {
  text = "";
  entities: MessageEntity[] = [];
  add(text: string, entity?: EntitySpec): void {
    if (entity && text.length > 0) this.entities.push({ ...entity, offset: this.text.length, length: text.length } as MessageEntity);
    this.text += text;
  }
}

function inline(out: Builder, text: string, outer: boolean): void {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    out.add(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] !== undefined) out.add(m[2].trim() ? m[2].replace(/^ (.*) $/, "$1") : m[2], outer ? { type: "code" } : undefined);
    else if (m[3] !== undefined || m[4] !== undefined) styled(out, m[3] ?? m[4]!, "bold", outer);
    else if (m[5] !== undefined || m[6] !== undefined) styled(out, m[5] ?? m[6]!, "italic", outer);
    else if (m[7] !== undefined) styled(out, m[7], "strikethrough", outer);
    else if (m[8] !== undefined) out.add(m[8], outer ? { type: "text_link", url: m[9]! } : undefined);
  }
  out.add(text.slice(last));
}

/** A styled span whose inner constructs are kept as plain text (entities inside it would need nesting rules). */
function styled(out: Builder, inner: string, type: "bold" | "italic" | "strikethrough", outer: boolean): void {
  const sub = new Builder();
  inline(sub, inner, false);
  out.add(sub.text, outer ? { type } : undefined);
}

/**
 * Claude's Markdown → Telegram text + entities. Tolerant of half-streamed input: an unclosed fence
 * is code to the end, an unclosed `**` or backtick stays literal. Never throws.
 */
export function markdownToFormatted(md: string): FormattedText {
  const out = new Builder();
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) inline(out, paragraph.join("\n"), true);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = line.match(/^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/);
    if (fence) {
      flush();
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j]!.trim().startsWith(fence[1]!)) body.push(lines[j++]!);
      const code = body.join("\n");
      out.add(code.length ? code : " ", fence[2] ? { type: "pre", language: fence[2] } : { type: "pre" });
      i = j;
      if (i < lines.length - 1) out.add("\n");
      continue;
    }
    const heading = line.match(/^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/);
    if (heading) {
      flush();
      const sub = new Builder();
      inline(sub, heading[1]!, false);
      out.add(sub.text, { type: "bold" });
      if (i < lines.length - 1) out.add("\n");
      continue;
    }
    const bullet = line.match(/^(\s*)[-*+]\s+(.*)$/);
    paragraph.push(bullet && !/^\s*([-*_])\s*\1\s*\1/.test(line) ? `${bullet[1]}• ${bullet[2]}` : line);
    flush();
    if (i < lines.length - 1) out.add("\n");
  }
  flush();
  return { text: out.text, entities: out.entities.filter((e) => e.length > 0 && e.offset + e.length <= out.text.length) };
}
