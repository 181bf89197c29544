/** Cards that are not plain permission prompts: ExitPlanMode (a plan) and AskUserQuestion. */
import { bold, italic, markdownToFormatted, plain, truncateFormatted, type FormattedText } from "../../format";
import { json } from "./tools";
import { clip, clipLine, isRecord, joinLines, measure, prettyJson, sanitize, str } from "./text";
import type { Body } from "./types";
import { optionLabel } from "../../core/question-answer";

type Input = Record<string, unknown>;

/** Longest button label, in characters (code points). */
export const BUTTON_MAX = 40;

export function planBody(input: unknown, budget: number): Body {
  const title = bold("📋 Claude has a plan");
  const plan = isRecord(input) ? str(input.plan) : undefined;
  if (plan === undefined) {
    const body = json(input, { budget: budget - title.text.length - 1, description: "" });
    return { ...body, lines: [title, ...body.lines] };
  }
  const note = plain("(full plan attached)");
  const room = budget - measure([title, note]) - 1;
  const md = markdownToFormatted(sanitize(plan));
  if (md.text.length <= room) return { lines: [title, md.text.trim() ? md : plain("(empty plan)")] };
  // Cut at a line break when one is near the end of the room, else mid-line.
  const nl = md.text.lastIndexOf("\n", room - 2);
  const head = nl >= room / 2 ? truncateFormatted(md, nl + 2, "\n…") : truncateFormatted(md, room);
  return { lines: [title, head, note], document: { filename: "plan.md", content: plan } };
}


function buttonLabel(label: string | undefined, index: number): string {
  const chars = Array.from(clipLine(label, Infinity));
  if (chars.length === 0) return `Option ${index + 1}`;
  return chars.length > BUTTON_MAX ? `${chars.slice(0, BUTTON_MAX - 1).join("")}…` : chars.join("");
}

function questionLines(q: Input, index: number, total: number): FormattedText[] {
  const tag = total > 1 ? `❓ ${index + 1}/${total}` : "❓";
  const header = clipLine(q.header, 100);
  const question = clip(sanitize(str(q.question) ?? "").trim(), 600);
  const lines = header ? [bold(`${tag} ${header}`), ...(question ? [plain(question)] : [])] : [bold(`${tag} ${question}`.trim())];
  const options = Array.isArray(q.options) ? q.options : [];
  options.forEach((o, i) => {
    const label = clipLine(optionLabel(o), 200) || "(no label)";
    const description = isRecord(o) ? clipLine(o.description, 300) : "";
    lines.push(plain(`${i + 1}. ${label}${description ? ` — ${description}` : ""}`));
  });
  if (q.multiSelect === true) {
    lines.push(italic(index === 0 ? "Several answers allowed; a button picks one." : "Several answers allowed."));
  }
  return lines;
}

/** Null when the input does not have the AskUserQuestion shape (then it is shown as JSON). */
export function questionBody(input: Input, budget: number): (Body & { options: string[] }) | null {
  const all = Array.isArray(input.questions) ? input.questions : [];
  const first = all[0];
  if (!isRecord(first) || !Array.isArray(first.options) || !first.options.some((o) => optionLabel(o) !== undefined)) return null;
  const questions = all.filter(isRecord);
  const options = first.options.map((o, i) => buttonLabel(optionLabel(o), i));
  const sections = questions.map((q, i) => questionLines(q, i, questions.length));
  let body = joinLines(sections.flatMap((lines, i) => (i > 0 ? [plain(""), ...lines] : lines)));
  const note = questions.length > 1 ? italic("The buttons answer question 1 only.") : null;
  const attached = plain("(full questions attached)");
  const room = budget - measure([attached, ...(note ? [note] : [])]) - 1;
  const cut = body.text.length > room;
  if (cut) body = truncateFormatted(body, room, "\n…");
  return {
    lines: [body, ...(cut ? [attached] : []), ...(note ? [note] : [])],
    ...(cut ? { document: { filename: "input.json", content: prettyJson(input) } } : {}),
    options,
  };
}

