/**
 * Claude's Markdown as a small tree of known node kinds: the renderer builds DOM nodes from it with
 * text nodes only, so raw HTML in an answer shows as text, never as markup. Links keep only
 * http(s) and mailto targets. Works on a half-streamed answer (an open code fence is a code block).
 */
export type Inline =
  | { t: "text"; text: string }
  | { t: "code"; text: string }
  | { t: "strong" | "em" | "del"; children: Inline[] }
  | { t: "link"; href: string; children: Inline[] };

export type Block =
  | { t: "p"; children: Inline[] }
  | { t: "h"; level: number; children: Inline[] }
  | { t: "code"; lang: string; text: string }
  | { t: "list"; ordered: boolean; start: number; items: Inline[][] }
  | { t: "quote"; children: Block[] }
  | { t: "hr" };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^ {0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^ {0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = line.match(FENCE);
    if (fence) {
      const close = new RegExp(`^ {0,3}${fence[1]![0]}{${fence[1]!.length},}\\s*$`);
      const body: string[] = [];
      i++;
      while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
      i++;
      blocks.push({ t: "code", lang: fence[2] ?? "", text: body.join("\n") });
      continue;
    }
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = line.match(HEADING);
    if (heading) {
      blocks.push({ t: "h", level: heading[1]!.length, children: parseInline(heading[2]!) });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ t: "hr" });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) body.push(lines[i++]!.match(QUOTE)![1]!);
      blocks.push({ t: "quote", children: parseMarkdown(body.join("\n")) });
      continue;
    }
    const bullet = BULLET.test(line);
    const numbered = line.match(NUMBERED);
    if (bullet || numbered) {
      const pattern = bullet ? BULLET : NUMBERED;
      const items: string[] = [];
      while (i < lines.length && lines[i]!.trim()) {
        const item = lines[i]!.match(pattern);
        if (item) items.push(item[bullet ? 1 : 2]!);
        else if (/^\s+\S/.test(lines[i]!) && items.length) items[items.length - 1] += ` ${lines[i]!.trim()}`;
        else break;
        i++;
      }
      blocks.push({ t: "list", ordered: !bullet, start: numbered ? Number(numbered[1]) : 1, items: items.map(parseInline) });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() && !FENCE.test(lines[i]!) && !HEADING.test(lines[i]!) && !QUOTE.test(lines[i]!) && !BULLET.test(lines[i]!) && !NUMBERED.test(lines[i]!)) para.push(lines[i++]!);
    blocks.push({ t: "p", children: parseInline(para.join("\n")) });
  }
  return blocks;
}

/** The link targets a page may open: web and mail only (no javascript:, data:, file:…). */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "mailto:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|~~([\s\S]+?)~~|\*([^\s*][\s\S]*?)\*|(?<![\w])_([^\s_][\s\S]*?)_(?![\w])|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  while (rest) {
    const m = rest.match(INLINE);
    if (!m || m.index === undefined) {
      out.push({ t: "text", text: rest });
      break;
    }
    if (m.index > 0) out.push({ t: "text", text: rest.slice(0, m.index) });
    const [whole, , code, strong, strong2, del, em, em2, label, target, bare] = m;
    if (code !== undefined) out.push({ t: "code", text: code.trim() || code });
    else if (strong !== undefined || strong2 !== undefined) out.push({ t: "strong", children: parseInline(strong ?? strong2!) });
    else if (del !== undefined) out.push({ t: "del", children: parseInline(del) });
    else if (em !== undefined || em2 !== undefined) out.push({ t: "em", children: parseInline(em ?? em2!) });
    else if (label !== undefined) {
      const href = safeHref(target!);
      out.push(href ? { t: "link", href, children: parseInline(label) } : { t: "text", text: whole });
    } else if (bare !== undefined) {
      const href = safeHref(bare);
      out.push(href ? { t: "link", href, children: [{ t: "text", text: bare }] } : { t: "text", text: bare });
    }
    rest = rest.slice(m.index + whole.length);
  }
  return out;
}
