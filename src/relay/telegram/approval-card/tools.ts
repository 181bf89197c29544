/** Card bodies for Claude Code's built-in tools, and the JSON fallback for everything else. */
import { blockquote, code, concatFormatted, italic, plain, type FormattedText } from "../../format";
import {
  basename, block, clip, clipLine, filename, hasHidden, measure, plural, prettyJson, preview, sanitize, sanitizeDeep, size, splitLines, str,
} from "./text";
import type { Body, BodyContext } from "./types";

type Input = Record<string, unknown>;

/** Longest line shown in a file or diff preview. */
const LINE_MAX = 400;
/** Lines of a written file shown on the card. */
const WRITE_LINES = 40;

/** Units left for one more line below `fixed`. */
function roomFor(fixed: FormattedText[], budget: number): number {
  return budget - measure(fixed) - (fixed.length > 0 ? 1 : 0);
}

const codeOr = (text: string, empty: string) => (text.trim() ? code(text) : plain(empty));
const present = (lines: Array<FormattedText | null | undefined | false | "">) => lines.filter((l): l is FormattedText => !!l);

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export function bash(input: Input, ctx: BodyContext): Body | null {
  const command = str(input.command);
  if (command === undefined) return null;
  const description = clipLine(input.description, 300) || ctx.description;
  const facts: string[] = [];
  if (input.run_in_background === true) facts.push("runs in the background");
  const timeout = input.timeout;
  if (typeof timeout === "number" && Number.isFinite(timeout) && timeout > 0) facts.push(`timeout ${duration(timeout)}`);
  const after = present([
    description && italic(description),
    facts.length > 0 && plain(facts.join(" · ")),
    hasHidden(command) && plain("⚠️ the command contains control characters (not shown)"),
  ]);
  const note = plain("(full command attached)");
  const p = preview(sanitize(command), roomFor([...after, note], ctx.budget));
  return {
    lines: [block(p.shown, "bash", "(empty command)"), ...after, ...(p.cut ? [note] : [])],
    ...(p.cut ? { document: { filename: "command.sh", content: command } } : {}),
    usedDescription: true,
  };
}

type Change = { old: string; next: string; all: boolean };

function changes(input: Input, multi: boolean): Change[] | null {
  const list = multi ? input.edits : [input];
  if (!Array.isArray(list)) return null;
  const out: Change[] = [];
  for (const e of list) {
    if (typeof e !== "object" || e === null) return null;
    const { old_string: old, new_string: next, replace_all: all } = e as Input;
    if (typeof old !== "string" || typeof next !== "string") return null;
    out.push({ old, next, all: all === true });
  }
  return out;
}

/** The whole change as a unified-style diff (no line numbers: the request does not carry them). */
function unifiedDiff(path: string, list: Change[]): string {
  const out = [`--- ${path}`, `+++ ${path}`];
  list.forEach((c, i) => {
    const label = list.length > 1 ? ` edit ${i + 1} of ${list.length}` : "";
    out.push(`@@${label}${c.all ? " (replace all occurrences)" : ""} @@`);
    for (const l of splitLines(c.old)) out.push(`-${l}`);
    for (const l of splitLines(c.next)) out.push(`+${l}`);
  });
  return `${out.join("\n")}\n`;
}

export function edit(input: Input, ctx: BodyContext, multi: boolean): Body | null {
  const path = str(input.file_path);
  const list = changes(input, multi);
  if (path === undefined || !list) return null;
  const clean = list.map((c) => ({ old: splitLines(sanitize(c.old)), next: splitLines(sanitize(c.next)) }));
  const diff = clean.map((c) => [...c.old.map((l) => `- ${l}`), ...c.next.map((l) => `+ ${l}`)].join("\n")).join("\n@@\n");
  const added = clean.reduce((n, c) => n + c.next.length, 0);
  const removed = clean.reduce((n, c) => n + c.old.length, 0);
  let summary = `+${added} −${removed}`;
  if (multi) summary += ` in ${plural(list.length, "edit")}`;
  const everywhere = list.flatMap((c, i) => (c.all ? [i + 1] : []));
  if (everywhere.length > 0) {
    summary += multi
      ? ` · edit ${everywhere.join(", ")} replace${everywhere.length === 1 ? "s" : ""} every occurrence`
      : " · replaces every occurrence";
  }
  const head = codeOr(clipLine(path, 300), "(no path)");
  const tail = plain(clip(summary, 300));
  const note = plain("(full diff attached)");
  const p = preview(diff, roomFor([head, tail, note], ctx.budget), Infinity, LINE_MAX);
  return {
    lines: [head, block(p.shown, "diff", "(no changes)"), tail, ...(p.cut ? [note] : [])],
    ...(p.cut ? { document: { filename: `${filename(basename(path), "edit")}.diff`, content: unifiedDiff(path, list) } } : {}),
  };
}

export function write(input: Input, ctx: BodyContext): Body | null {
  const path = str(input.file_path);
  const content = str(input.content);
  if (path === undefined || content === undefined) return null;
  const clean = sanitize(content);
  // Write creates or overwrites: the request does not say which, so the card does not either.
  const info = plain(`whole file · ${plural(splitLines(clean).length, "line")} · ${size(content)}`);
  const head = codeOr(clipLine(path, 300), "(no path)");
  const note = plain("(full content attached)");
  const p = preview(clean, roomFor([head, info, note], ctx.budget), WRITE_LINES, LINE_MAX);
  return {
    lines: [head, info, block(p.shown, undefined, "(empty file)"), ...(p.cut ? [note] : [])],
    ...(p.cut ? { document: { filename: filename(basename(path), "content.txt"), content } } : {}),
  };
}

export function notebook(input: Input, ctx: BodyContext): Body | null {
  const path = str(input.notebook_path);
  const source = input.new_source === undefined ? "" : str(input.new_source);
  if (path === undefined || source === undefined) return null;
  const facts = present([
    clipLine(input.cell_id, 80) && plain(`cell ${clipLine(input.cell_id, 80)}`),
    clipLine(input.cell_type, 40) && plain(clipLine(input.cell_type, 40)),
    clipLine(input.edit_mode, 40) && plain(`mode ${clipLine(input.edit_mode, 40)}`),
  ]);
  const head = codeOr(clipLine(path, 300), "(no path)");
  const info = facts.length > 0 ? concatFormatted(...facts.flatMap((f, i) => (i > 0 ? [plain(" · "), f] : [f]))) : null;
  const fixed = present([head, info]);
  const note = plain("(full cell source attached)");
  const p = preview(sanitize(source), roomFor([...fixed, note], ctx.budget), WRITE_LINES, LINE_MAX);
  return {
    lines: [...fixed, block(p.shown, undefined, "(no source)"), ...(p.cut ? [note] : [])],
    ...(p.cut ? { document: { filename: `${filename(basename(path), "notebook")}.cell.txt`, content: source } } : {}),
  };
}

export function webFetch(input: Input, ctx: BodyContext): Body | null {
  const url = str(input.url);
  if (url === undefined) return null;
  const prompt = str(input.prompt) ?? "";
  const shownUrl = clipLine(url, 1000);
  // The URL goes in `code`: a link entity would invite a tap (and a preview) before approval.
  const head = concatFormatted(plain("fetch "), codeOr(shownUrl, "(no url)"));
  const note = plain("(full input attached)");
  const p = preview(sanitize(prompt), roomFor([head, note], ctx.budget) - "prompt: ".length);
  const cut = p.cut || sanitize(url).trim() !== shownUrl;
  return {
    lines: [head, ...(prompt.trim() ? [plain(`prompt: ${p.shown}`)] : []), ...(cut ? [note] : [])],
    ...(cut ? { document: { filename: "input.json", content: prettyJson(input) } } : {}),
  };
}

function domains(value: unknown): string {
  if (!Array.isArray(value)) return "";
  return clip(value.filter((d): d is string => typeof d === "string").map((d) => clipLine(d, 100)).join(", "), 300);
}

export function webSearch(input: Input, _ctx: BodyContext): Body | null {
  const query = str(input.query);
  if (query === undefined) return null;
  const shown = clipLine(query, 1000);
  const only = domains(input.allowed_domains);
  const not = domains(input.blocked_domains);
  const cut = sanitize(query).replace(/\s+/g, " ").trim() !== shown;
  return {
    lines: present([
      concatFormatted(plain("search the web for "), codeOr(shown, "(empty query)")),
      only && plain(`only on: ${only}`),
      not && plain(`not on: ${not}`),
      cut && plain("(full input attached)"),
    ]),
    ...(cut ? { document: { filename: "input.json", content: prettyJson(input) } } : {}),
  };
}

export function task(input: Input, ctx: BodyContext): Body | null {
  const prompt = str(input.prompt);
  if (prompt === undefined) return null;
  const agent = clipLine(input.subagent_type, 100);
  const description = clipLine(input.description, 300);
  const fixed = present([
    agent ? concatFormatted(plain("run a sub-agent: "), code(agent)) : plain("run a sub-agent"),
    description && italic(description),
  ]);
  const note = plain("(full prompt attached)");
  const p = preview(sanitize(prompt).trim(), roomFor([...fixed, note], ctx.budget), Infinity, LINE_MAX * 2);
  return {
    lines: [...fixed, p.shown.trim() ? blockquote(p.shown, true) : plain("(no prompt)"), ...(p.cut ? [note] : [])],
    ...(p.cut ? { document: { filename: "prompt.md", content: prompt } } : {}),
  };
}

/** Any other tool (MCP tools included): the input as pretty-printed JSON. */
export function json(input: unknown, ctx: BodyContext): Body {
  const full = prettyJson(input);
  const note = plain("(full input attached)");
  const p = preview(sanitize(prettyJson(sanitizeDeep(input))), roomFor([note], ctx.budget), Infinity, LINE_MAX);
  return {
    lines: [block(p.shown, "json", "(no input)"), ...(p.cut ? [note] : [])],
    ...(p.cut ? { document: { filename: "input.json", content: full } } : {}),
  };
}
