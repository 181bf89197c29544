import { z } from "../../proto/zod";
import { blockquote, code, concatFormatted, plain, type FormattedText } from "../format";
import { maskSecrets } from "../mask-secrets";

/** One tool call of a turn as the status section shows it; stored as JSON on the turn row. */
export const ToolActivity = z.object({
  id: z.string(),
  name: z.string(),
  summary: z.string(),
  added: z.optional(z.number()),
  removed: z.optional(z.number()),
  startedAt: z.number(),
  endedAt: z.optional(z.number()),
  isError: z.optional(z.boolean()),
  /** The start of the tool's output, already cut to OUTPUT_SHOWN. */
  output: z.optional(z.string()),
});
export type ToolActivity = z.infer<typeof ToolActivity>;

/** Tools shown one per line while the turn runs; earlier ones fold into a count. */
export const VISIBLE_TOOLS = 3;
/** Tool lines listed in the finished turn's folded section. */
export const LISTED_TOOLS = 30;
/** Characters of tool output shown (in an expandable quote). */
export const OUTPUT_SHOWN = 600;

export function parseTools(json: string): ToolActivity[] {
  const parsed = z.array(ToolActivity).safeParse(safeJson(json));
  return parsed.success ? parsed.data : [];
}

export function toolStarted(tools: ToolActivity[], event: { toolUseId: string; name: string; summary: string; added?: number; removed?: number }, now: number): ToolActivity[] {
  if (tools.some((t) => t.id === event.toolUseId)) return tools;
  const { toolUseId: id, name, summary, added, removed } = event;
  return [...tools, { id, name, summary: maskSecrets(summary).text, startedAt: now, ...(added !== undefined ? { added } : {}), ...(removed !== undefined ? { removed } : {}) }];
}

export function toolFinished(tools: ToolActivity[], result: { toolUseId: string; isError: boolean; output: string }, now: number): ToolActivity[] {
  return tools.map((t) => (t.id === result.toolUseId && t.endedAt === undefined ? { ...t, endedAt: now, isError: result.isError, output: shorten(maskSecrets(result.output).text) } : t));
}

/**
 * The status section: while running, the last few tools (a count for the earlier ones) and the
 * newest output in an expandable quote; once finished, one summary line with every tool folded
 * into an expandable quote.
 */
export function renderToolSection(tools: ToolActivity[], now: number, finished: boolean): FormattedText {
  if (tools.length === 0) return plain("");
  if (finished) {
    const listed = tools.slice(-LISTED_TOOLS).map((t) => toolLine(t, now));
    const omitted = tools.length - listed.length;
    const lines = joinLines([...(omitted > 0 ? [plain(`… ${omitted} earlier`)] : []), ...listed]);
    return concatFormatted(plain(`${summaryLine(tools)}\n`), blockquote(lines, true));
  }
  const shown = tools.slice(-VISIBLE_TOOLS);
  const earlier = tools.length - shown.length;
  const parts = [...(earlier > 0 ? [plain(`… ${earlier} earlier step${earlier === 1 ? "" : "s"}`)] : []), ...shown.map((t) => toolLine(t, now))];
  const last = tools.at(-1)!;
  const output = last.output?.trim();
  const section = joinLines(parts);
  return output ? concatFormatted(section, plain("\n"), blockquote(output, true)) : section;
}

/** "⚙ 5 steps: Bash ×3, Edit ×2" */
function summaryLine(tools: ToolActivity[]): string {
  const counts = new Map<string, number>();
  for (const t of tools) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const byName = [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(", ");
  const failed = tools.filter((t) => t.isError).length;
  return `⚙ ${tools.length} step${tools.length === 1 ? "" : "s"}: ${byName}${failed ? ` (${failed} failed)` : ""}`;
}

/** "⚙ Bash `npm test` (12 s)", "✎ Edit src/app.ts +12 −3", "🔎 Grep 'TODO'" */
export function toolLine(t: ToolActivity, now: number): FormattedText {
  const summary = t.summary.replace(/\s+/g, " ").trim();
  const clipped = summary.length > 80 ? `${summary.slice(0, 79)}…` : summary;
  const name = `${iconOf(t.name)} ${t.name}`;
  let body: FormattedText;
  if (EDITS.has(t.name)) {
    const change = t.added !== undefined || t.removed !== undefined ? ` +${t.added ?? 0} −${t.removed ?? 0}` : "";
    body = plain(`${name}${clipped ? ` ${clipped}` : ""}${change}`);
  } else if (SEARCHES.has(t.name)) {
    body = plain(`${name}${clipped ? ` '${clipped}'` : ""}`);
  } else {
    body = clipped ? concatFormatted(plain(`${name} `), code(clipped)) : plain(name);
  }
  const seconds = ((t.endedAt ?? now) - t.startedAt) / 1000;
  const time = t.endedAt === undefined ? ` (${formatSeconds(seconds)}…)` : seconds >= 1 ? ` (${formatSeconds(seconds)})` : "";
  return concatFormatted(body, plain(`${time}${t.isError ? " ✗" : ""}`));
}

const EDITS = new Set(["Edit", "MultiEdit", "Write", "NotebookEdit"]);
const SEARCHES = new Set(["Grep", "Glob", "WebSearch"]);

function iconOf(name: string): string {
  if (EDITS.has(name)) return "✎";
  if (SEARCHES.has(name)) return "🔎";
  if (name === "Read") return "📖";
  if (name === "WebFetch") return "🌐";
  if (name === "Task" || name === "Agent") return "🤖";
  return "⚙";
}

export function formatSeconds(s: number): string {
  const whole = Math.max(0, Math.floor(s));
  if (whole < 60) return `${whole} s`;
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

function joinLines(parts: FormattedText[]): FormattedText {
  return concatFormatted(...parts.flatMap((p, i) => (i === 0 ? [p] : [plain("\n"), p])));
}

function shorten(output: string): string {
  const text = output.trim();
  return text.length > OUTPUT_SHOWN ? `${text.slice(0, OUTPUT_SHOWN - 1)}…` : text;
}

function safeJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return [];
  }
}
