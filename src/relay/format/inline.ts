import { newDelim, processEmphasis, type Delim } from "./emphasis";
import { parseDestination } from "./link-destination";
import { Out } from "./out";
import type { FormattedText } from "./types";
import { safeUrl } from "./url";
import { charAt, charBefore } from "./utf16";

/**
 * Inline Markdown → text + entities: code spans, links, autolinks, backslash escapes and
 * emphasis (`*`, `_`, `**`, `__`, `~~`). Anything unclosed or unrecognised stays literal.
 */
type Node = { kind: "text"; text: string } | { kind: "atom"; ft: FormattedText } | { kind: "delim"; d: Delim };

const SPECIAL = /[\\`[!<*_~]/g;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const WORD = /^[A-Za-z0-9]$/;
const WHITESPACE = /^\s$/u;
const PUNCT = /^[\p{P}\p{S}]$/u;
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/y;
const EMAIL = /<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>/y;
const DUNDER = /__[a-z][a-z0-9]*(?:_[a-z0-9]+)*__/y;
const MAX_LINK_TEXT = 1000;

export function parseInline(src: string, links = true): FormattedText {
  return new InlineParser(src, links).parse();
}

class InlineParser {
  private readonly nodes: Node[] = [];
  private buf = "";
  private firstDelim: Delim | null = null;
  private lastDelim: Delim | null = null;
  // Backtick run length → position from which no closing run of that length exists.
  private readonly noCloser = new Map<number, number>();

  constructor(
    private readonly src: string,
    private readonly links: boolean,
  ) {}

  parse(): FormattedText {
    const { src } = this;
    let i = 0;
    while (i < src.length) {
      SPECIAL.lastIndex = i;
      const hit = SPECIAL.exec(src);
      if (!hit) {
        this.buf += src.slice(i);
        break;
      }
      this.buf += src.slice(i, hit.index);
      i = this.special(hit.index);
    }
    this.flush();
    processEmphasis(this.firstDelim);
    return this.render();
  }

  /** Handles the special character at `i`; returns where scanning continues. */
  private special(i: number): number {
    const { src } = this;
    const c = src[i]!;
    if (c === "\\") {
      const next = src[i + 1];
      if (next !== undefined && ASCII_PUNCT.test(next)) return this.literal(next, i + 2);
      if (next === "\n") return i + 1; // a hard line break: the newline alone does the job
      return this.literal(c, i + 1);
    }
    if (c === "`") return this.codeSpan(i);
    if (c === "[" || (c === "!" && src[i + 1] === "[")) {
      const end = this.links ? this.link(i) : -1;
      return end > 0 ? end : this.literal(c, i + 1);
    }
    if (c === "<") return this.autolink(i);
    if (c === "!") return this.literal(c, i + 1);
    return this.delimiterRun(i, c as Delim["char"]);
  }

  private literal(text: string, next: number): number {
    this.buf += text;
    return next;
  }

  private flush(): void {
    if (this.buf) this.nodes.push({ kind: "text", text: this.buf });
    this.buf = "";
  }

  private atom(ft: FormattedText): void {
    this.flush();
    this.nodes.push({ kind: "atom", ft });
  }

  private runLength(i: number, c: string): number {
    let j = i;
    while (this.src[j] === c) j++;
    return j - i;
  }

  /** Start of the next backtick run of exactly `len` at or after `from`, or -1. */
  private codeCloser(from: number, len: number): number {
    const failed = this.noCloser.get(len);
    if (failed !== undefined && from >= failed) return -1;
    let j = from;
    for (;;) {
      j = this.src.indexOf("`", j);
      if (j < 0) {
        this.noCloser.set(len, Math.min(from, failed ?? from));
        return -1;
      }
      const run = this.runLength(j, "`");
      if (run === len) return j;
      j += run;
    }
  }

  private codeSpan(i: number): number {
    const len = this.runLength(i, "`");
    const close = this.codeCloser(i + len, len);
    if (close < 0) return this.literal("`".repeat(len), i + len);
    let body = this.src.slice(i + len, close).replace(/\n/g, " ");
    if (body.length >= 2 && body.startsWith(" ") && body.endsWith(" ") && body.trim()) body = body.slice(1, -1);
    this.atom({ text: body, entities: [{ type: "code", offset: 0, length: body.length }] });
    return close + len;
  }

  /** Index of the `]` closing the `[` at `open`, skipping escapes and code spans; -1 if none. */
  private bracketClose(open: number): number {
    const { src } = this;
    let depth = 0;
    for (let j = open + 1; j < src.length && j - open <= MAX_LINK_TEXT; j++) {
      const c = src[j];
      if (c === "\\") j++;
      else if (c === "[") depth++;
      else if (c === "]" && depth-- === 0) return j;
      else if (c === "`") {
        const len = this.runLength(j, "`");
        const close = this.codeCloser(j + len, len);
        j = close < 0 ? j + len - 1 : close + len - 1;
      }
    }
    return -1;
  }

  private link(i: number): number {
    const image = this.src[i] === "!";
    const open = image ? i + 1 : i;
    const close = this.bracketClose(open);
    if (close < 0 || this.src[close + 1] !== "(") return -1;
    const target = parseDestination(this.src, close + 2);
    if (!target) return -1;
    const label = parseInline(this.src.slice(open + 1, close), false);
    const inner = label.text.trim() ? label : { text: target.url, entities: [] };
    const url = safeUrl(target.url);
    if (url) {
      const out = new Out();
      out.add(inner);
      out.mark(0, { type: "text_link", url });
      this.atom(out.result());
    } else {
      // Relative paths and unknown schemes stay readable as plain text.
      this.atom(inner);
      if (target.url && target.url !== inner.text) this.buf += ` (${target.url})`;
    }
    return target.end;
  }

  private autolink(i: number): number {
    AUTOLINK.lastIndex = i;
    const m = AUTOLINK.exec(this.src);
    if (m) {
      const url = m[1]!;
      const safe = safeUrl(url);
      if (safe) this.atom({ text: url, entities: [{ type: "text_link", offset: 0, length: url.length, url: safe }] });
      else if (/^https?:/i.test(url)) this.buf += url;
      else return this.literal(m[0], i + m[0].length);
      return i + m[0].length;
    }
    EMAIL.lastIndex = i;
    const email = EMAIL.exec(this.src);
    if (email) return this.literal(email[1]!, i + email[0].length);
    return this.literal("<", i + 1);
  }

  private delimiterRun(i: number, c: Delim["char"]): number {
    const len = this.runLength(i, c);
    const before = charBefore(this.src, i);
    const after = charAt(this.src, i + len);
    // `~` is strikethrough only as `~~`; a lone `~` means "about". `*` between ASCII letters or
    // digits (2*3*4, a**b) is arithmetic, not emphasis.
    if ((c === "~" && len !== 2) || (c === "*" && WORD.test(before) && WORD.test(after))) {
      return this.literal(c.repeat(len), i + len);
    }
    // Python dunders (__init__, __main__) are names, not bold words.
    DUNDER.lastIndex = i;
    const dunder = c === "_" && len === 2 ? DUNDER.exec(this.src) : null;
    if (dunder) return this.literal(dunder[0], i + dunder[0].length);
    const spaceBefore = before === "" || WHITESPACE.test(before);
    const spaceAfter = after === "" || WHITESPACE.test(after);
    const punctBefore = PUNCT.test(before);
    const punctAfter = PUNCT.test(after);
    const left = !spaceAfter && (!punctAfter || spaceBefore || punctBefore);
    const right = !spaceBefore && (!punctBefore || spaceAfter || punctAfter);
    const canOpen = c === "_" ? left && (!right || punctBefore) : left;
    const canClose = c === "_" ? right && (!left || punctAfter) : right;
    const d = newDelim(c, len, canOpen, canClose);
    this.flush();
    this.nodes.push({ kind: "delim", d });
    if (this.lastDelim) {
      this.lastDelim.next = d;
      d.prev = this.lastDelim;
    } else {
      this.firstDelim = d;
    }
    this.lastDelim = d;
    return i + len;
  }

  private render(): FormattedText {
    const out = new Out();
    for (const node of this.nodes) {
      if (node.kind === "text") out.addText(node.text);
      else if (node.kind === "atom") out.add(node.ft);
      else {
        const { d } = node;
        for (const m of d.closes) m.end = out.length;
        out.addText(d.char.repeat(d.count));
        for (const m of d.opens) m.start = out.length;
      }
    }
    for (const node of this.nodes) {
      if (node.kind !== "delim") continue;
      for (const m of node.d.opens) {
        if (m.end > m.start) out.entities.push({ type: m.type, offset: m.start, length: m.end - m.start });
      }
    }
    return out.result();
  }
}
