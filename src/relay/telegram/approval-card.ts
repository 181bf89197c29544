import { basename } from "node:path";
import { bold, code, concatFormatted, italic, plain, pre, truncateFormatted, type FormattedText } from "../format";

export type ApprovalCardRequest = { deviceName: string; sessionLabel: string; toolName: string; input: Record<string, unknown>; description?: string };
export type ApprovalCard = { kind: "permission" | "question" | "plan"; text: FormattedText; document?: { filename: string; content: string }; options?: string[] };

const CARD_LIMIT = 3500;
const PREVIEW = 1800;
// biome-ignore lint: control characters are what we strip
const CONTROL = /\u001b\[[0-9;?]*[ -/]*[@-~]|[\u0000-\u0008\u000b-\u001f\u007f]/g;
const clean = (text: string) => text.replace(CONTROL, "");
const str = (v: unknown) => (typeof v === "string" ? clean(v) : "");

function preview(text: string, limit = PREVIEW): { shown: string; cut: boolean } {
  if (text.length <= limit) return { shown: text, cut: false };
  const lines = text.slice(0, limit).split("\n");
  return { shown: `${lines.slice(0, Math.max(1, lines.length - 1)).join("\n")}\n…`, cut: true };
}

function diffOf(oldText: string, newText: string): string {
  const minus = oldText.split("\n").map((l) => `- ${l}`);
  const plus = newText.split("\n").map((l) => `+ ${l}`);
  return [...minus, ...plus].join("\n");
}

export function renderApprovalCard(req: ApprovalCardRequest): ApprovalCard {
  const header = concatFormatted(bold(`🔐 ${clean(req.deviceName)} · ${req.sessionLabel}`), plain("\n"));
  const { input } = req;
  const tool = clean(req.toolName);
  const wants = plain(`${tool} wants to:\n`);
  let body: FormattedText;
  let document: ApprovalCard["document"];
  let kind: ApprovalCard["kind"] = "permission";
  let options: string[] | undefined;

  if (tool === "Bash") {
    const p = preview(str(input.command));
    body = concatFormatted(pre(p.shown || " ", "bash"), req.description || input.description ? concatFormatted(plain("\n"), italic(str(input.description) || clean(req.description ?? ""))) : plain(""));
    if (p.cut) document = { filename: "command.sh", content: str(input.command) };
  } else if (tool === "Edit" || tool === "MultiEdit") {
    const path = str(input.file_path);
    const edits = tool === "Edit" ? [input] : Array.isArray(input.edits) ? (input.edits as Record<string, unknown>[]) : [];
    const diff = edits.map((e) => diffOf(str(e.old_string), str(e.new_string))).join("\n@@\n");
    const added = edits.reduce((n, e) => n + str(e.new_string).split("\n").length, 0);
    const removed = edits.reduce((n, e) => n + str(e.old_string).split("\n").length, 0);
    const p = preview(diff);
    body = concatFormatted(plain("edit "), code(path || "?"), plain(` (+${added} −${removed})\n`), pre(p.shown || " ", "diff"), p.cut ? plain("\n(full diff attached)") : plain(""));
    if (p.cut) document = { filename: `${basename(path) || "edit"}.diff`, content: diff };
  } else if (tool === "Write" || tool === "NotebookEdit") {
    const path = str(input.file_path ?? input.notebook_path);
    const content = str(input.content ?? input.new_source);
    const p = preview(content);
    body = concatFormatted(plain("write "), code(path || "?"), plain(` (${content.split("\n").length} lines)\n`), pre(p.shown || " "), p.cut ? plain("\n(full content attached)") : plain(""));
    if (p.cut) document = { filename: basename(path) || "content.txt", content };
  } else if (tool === "WebFetch" || tool === "WebSearch") {
    body = tool === "WebFetch" ? concatFormatted(plain("fetch "), code(str(input.url)), plain(`\n${str(input.prompt)}`)) : concatFormatted(plain("search the web for "), code(str(input.query)));
  } else if (tool === "ExitPlanMode") {
    kind = "plan";
    const p = preview(str(input.plan));
    body = concatFormatted(plain(p.shown), p.cut ? plain("\n(full plan attached)") : plain(""));
    if (p.cut) document = { filename: "plan.md", content: str(input.plan) };
    const text = concatFormatted(header, bold("📋 Claude has a plan\n"), body);
    return { kind, text: truncateFormatted(text, CARD_LIMIT), ...(document ? { document } : {}) };
  } else if (tool === "AskUserQuestion" && Array.isArray(input.questions) && input.questions.length > 0) {
    kind = "question";
    const questions = input.questions as { question?: unknown; header?: unknown; options?: { label?: unknown; description?: unknown }[] }[];
    const first = questions[0]!;
    options = (first.options ?? []).map((o) => { const l = str(o.label); return l.length > 40 ? `${l.slice(0, 39)}…` : l; });
    const parts = questions.map((q, qi) => {
      const lines = (q.options ?? []).map((o, i) => `${i + 1}. ${str(o.label)}${str(o.description) ? ` — ${str(o.description)}` : ""}`);
      return `${qi > 0 ? "\n" : ""}❓ ${str(q.header) ? `${str(q.header)}: ` : ""}${str(q.question)}\n${lines.join("\n")}`;
    });
    const note = questions.length > 1 ? "\n(the buttons answer the first question)" : "";
    const text = concatFormatted(header, plain(parts.join("\n") + note));
    return { kind, text: truncateFormatted(text, CARD_LIMIT), options };
  } else {
    const json = clean(JSON.stringify(input, null, 2));
    const p = preview(json);
    body = concatFormatted(pre(p.shown || "{}", "json"), p.cut ? plain("\n(full input attached)") : plain(""));
    if (p.cut) document = { filename: "input.json", content: json };
  }
  const text = concatFormatted(header, wants, body);
  return { kind, text: truncateFormatted(text, CARD_LIMIT), ...(document ? { document } : {}), ...(options ? { options } : {}) };
}

export function withDecision(card: FormattedText, line: string): FormattedText {
  const suffix = `\n\n${clean(line)}`.slice(0, 500);
  return concatFormatted(truncateFormatted(card, 4096 - suffix.length), plain(suffix));
}

export function questionAnswer(input: Record<string, unknown>, chosenIndex: number): Record<string, unknown> {
  const first = (Array.isArray(input.questions) ? input.questions[0] : undefined) as { question?: string; options?: { label?: string }[] } | undefined;
  const label = first?.options?.[chosenIndex]?.label;
  if (!first || typeof first.question !== "string" || typeof label !== "string") return { ...input };
  return { ...input, answers: { [first.question]: label } };
}

export function bashPrefix(command: string): string {
  const trimmed = command.trim();
  if (!trimmed || /[;&|`<>]|\$\(|\n/.test(trimmed)) return "";
  const words = trimmed.split(/\s+/);
  return words[1] && !words[1].startsWith("-") ? `${words[0]} ${words[1]}` : words[0]!;
}
