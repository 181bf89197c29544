import { parseInline } from "./inline";
import { Out } from "./out";
import type { FormattedText } from "./types";
import { fenceLanguage } from "./url";

/**
 * Block-level Markdown, line by line. Blocks are joined with one newline, or a blank line where
 * the source had one. Lenient where streaming needs it: an unclosed fence runs to the end.
 */
const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})(?:[ \t]+(.*))?$/;
const RULE = /^\s{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^\s{0,3}>/;
const QUOTE_PREFIX = /^\s{0,3}> ?/;
const LIST = /^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$/;
const TASK = /^\[([ xX])\][ \t]+/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;
const BLANK = /^\s*$/;
const MAX_LEVEL = 8;
const RULE_TEXT = "———";

export function renderBlocks(lines: readonly string[], inQuote: boolean): FormattedText {
  return new BlockRenderer(lines, inQuote).render();
}

class BlockRenderer {
  private readonly out = new Out();
  private started = false;
  private blankBefore = false;
  private listIndents: number[] = [];

  constructor(
    private readonly lines: readonly string[],
    private readonly inQuote: boolean,
  ) {}

  render(): FormattedText {
    let i = 0;
    while (i < this.lines.length) {
      const line = this.lines[i]!;
      if (BLANK.test(line)) {
        this.blankBefore = true;
        i++;
        continue;
      }
      if (!LIST.test(line) && indentOf(line) === 0) this.listIndents = [];
      i = this.block(i);
    }
    return this.out.result();
  }

  /** Renders the block starting at line `i`; returns the index of the line after it. */
  private block(i: number): number {
    const line = this.lines[i]!;
    const fence = fenceOpen(line);
    if (fence) return this.fenced(i, fence);
    const heading = HEADING.exec(line);
    if (heading) {
      const content = (heading[2] ?? "").replace(/(?:^|[ \t]+)#+[ \t]*$/, "").trim();
      this.emit(wrapBold(parseInline(content)));
      return i + 1;
    }
    if (RULE.test(line)) {
      this.emit({ text: RULE_TEXT, entities: [] });
      return i + 1;
    }
    if (this.tableStarts(i)) return this.table(i);
    if (QUOTE.test(line)) return this.quote(i);
    const item = LIST.exec(line);
    if (item) return this.listItem(i, item);
    return this.paragraph(i);
  }

  private emit(ft: FormattedText): void {
    if (!ft.text) return;
    if (this.started) this.out.addText(this.blankBefore ? "\n\n" : "\n");
    this.out.add(ft);
    this.started = true;
    this.blankBefore = false;
  }

  private startsBlock(i: number): boolean {
    const line = this.lines[i]!;
    return (
      fenceOpen(line) !== null || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST.test(line) || this.tableStarts(i)
    );
  }

  /** Lines from `i + 1` that continue the paragraph-like block at `i`. */
  private continuation(i: number): number {
    let j = i + 1;
    while (j < this.lines.length && !BLANK.test(this.lines[j]!) && !this.startsBlock(j)) j++;
    return j;
  }

  private fenced(i: number, fence: { indent: number; marker: string; info: string }): number {
    const body: string[] = [];
    let j = i + 1;
    for (; j < this.lines.length; j++) {
      const line = this.lines[j]!;
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line)?.[1];
      if (close && close[0] === fence.marker[0] && close.length >= fence.marker.length) break;
      body.push(stripIndent(line, fence.indent));
    }
    while (body.length > 0 && BLANK.test(body[body.length - 1]!)) body.pop();
    const text = body.join("\n");
    const language = fenceLanguage(fence.info);
    if (text.trim()) {
      const entity = language ? { type: "pre" as const, offset: 0, length: text.length, language } : { type: "pre" as const, offset: 0, length: text.length };
      this.emit({ text, entities: [entity] });
    }
    return j + 1;
  }

  private tableStarts(i: number): boolean {
    const line = this.lines[i]!;
    if (line.trimStart().startsWith("|")) return true;
    const next = this.lines[i + 1];
    return line.includes("|") && next !== undefined && next.includes("|") && TABLE_RULE.test(next);
  }

  private table(i: number): number {
    let j = i + 1;
    while (j < this.lines.length && this.lines[j]!.includes("|") && !BLANK.test(this.lines[j]!)) j++;
    const rows = this.lines.slice(i, j).map((row) => row.trimEnd());
    const indent = Math.min(...rows.map(indentOf));
    const text = rows.map((row) => stripIndent(row, indent)).join("\n");
    this.emit({ text, entities: [{ type: "pre", offset: 0, length: text.length }] });
    return j;
  }

  private quote(i: number): number {
    let j = i;
    while (j < this.lines.length && QUOTE.test(this.lines[j]!)) j++;
    const inner = renderBlocks(
      this.lines.slice(i, j).map((line) => line.replace(QUOTE_PREFIX, "")),
      true,
    );
    // Telegram cannot nest quotes: an inner quote just continues the outer one.
    if (this.inQuote || !inner.text) this.emit(inner);
    else this.emit({ text: inner.text, entities: [{ type: "blockquote", offset: 0, length: inner.text.length }, ...inner.entities] });
    return j;
  }

  private listItem(i: number, m: RegExpExecArray): number {
    const indent = indentOf(m[1]!);
    while (this.listIndents.length > 0 && this.listIndents[this.listIndents.length - 1]! >= indent) this.listIndents.pop();
    this.listIndents.push(indent);
    const level = Math.min(this.listIndents.length - 1, MAX_LEVEL);
    const end = this.continuation(i);
    let content = (m[3] ?? "").trim();
    const ordered = /\d/.test(m[2]!);
    let marker = ordered ? `${m[2]} ` : "• ";
    const task = TASK.exec(content);
    if (task) {
      const box = task[1] === " " ? "☐ " : "☑ ";
      marker = ordered ? marker + box : box;
      content = content.slice(task[0].length);
    }
    const pad = "  ".repeat(level);
    const rest = this.lines.slice(i + 1, end).map((line) => line.trim());
    const body = parseInline([content, ...rest].join(`\n${pad}  `));
    const out = new Out();
    out.addText(pad + marker);
    out.add(body);
    this.emit(out.result());
    return end;
  }

  private paragraph(i: number): number {
    const end = this.continuation(i);
    const text = this.lines.slice(i, end).map((line) => line.trim()).join("\n");
    this.emit(parseInline(text));
    return end;
  }
}

function fenceOpen(line: string): { indent: number; marker: string; info: string } | null {
  const m = FENCE.exec(line);
  if (!m) return null;
  const marker = m[2]!;
  const info = m[3]!;
  // ```js``` on one line is inline code, not a fence.
  if (marker[0] === "`" && info.includes("`")) return null;
  return { indent: m[1]!.length, marker, info };
}

function wrapBold(ft: FormattedText): FormattedText {
  if (!ft.text) return ft;
  return { text: ft.text, entities: [{ type: "bold", offset: 0, length: ft.text.length }, ...ft.entities] };
}

function indentOf(line: string): number {
  let width = 0;
  for (const c of line) {
    if (c === " ") width++;
    else if (c === "\t") width += 4 - (width % 4);
    else break;
  }
  return width;
}

function stripIndent(line: string, count: number): string {
  let k = 0;
  while (k < count && (line[k] === " " || line[k] === "\t")) k++;
  return line.slice(k);
}
