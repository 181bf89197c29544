/**
 * The approval card: a pure rendering of one `can_use_tool` request as a Telegram message
 * (text + entities, ≤ CARD_LIMIT units), plus the full input as a document when the preview had
 * to cut it. Everything shown is sanitised (no ANSI escapes or control characters).
 * @module
 */
import { bold, italic, plain, truncateFormatted, type FormattedText } from "../format";
import { planBody, questionBody } from "./approval-card/special";
import { clip, clipLine, isRecord, joinLines, sanitize } from "./approval-card/text";
import { bash, edit, json, notebook, task, webFetch, webSearch, write } from "./approval-card/tools";
import {
  CARD_LIMIT, type ApprovalCard, type ApprovalCardRequest, type Body, type BodyContext, type CardDocument,
} from "./approval-card/types";

export { bashPrefix } from "../core/bash-prefix";
export { questionAnswer } from "../core/question-answer";
export { CARD_LIMIT, type ApprovalCard, type ApprovalCardRequest } from "./approval-card/types";

type Renderer = (input: Record<string, unknown>, ctx: BodyContext) => Body | null;

const RENDERERS = new Map<string, Renderer>([
  ["Bash", bash],
  ["Edit", (input, ctx) => edit(input, ctx, false)],
  ["MultiEdit", (input, ctx) => edit(input, ctx, true)],
  ["Write", write],
  ["NotebookEdit", notebook],
  ["WebFetch", webFetch],
  ["WebSearch", webSearch],
  ["Task", task],
  ["Agent", task],
]);

/** Telegram's limit on message text. */
const MESSAGE_LIMIT = 4096;
const DECISION_MAX = 300;

export function renderApprovalCard(req: ApprovalCardRequest): ApprovalCard {
  const input: unknown = req.input;
  const head = bold(`🔐 ${clipLine(req.deviceName, 64) || "?"} · ${clipLine(req.sessionLabel, 64) || "?"}`);
  const below = CARD_LIMIT - head.text.length - 1;

  if (req.toolName === "AskUserQuestion" && isRecord(input)) {
    const body = questionBody(input, below);
    if (body) return finish("question", [head, ...body.lines], body.document, body.options);
  }
  if (req.toolName === "ExitPlanMode") {
    const body = planBody(input, below);
    return finish("plan", [head, ...body.lines], body.document);
  }

  const wants = plain(`${clipLine(req.toolName, 120) || "(unnamed tool)"} wants to:`);
  const description = clipLine(req.description, 300);
  const descriptionLine = description ? italic(description) : null;
  const ctx: BodyContext = {
    budget: below - wants.text.length - 1 - (descriptionLine ? descriptionLine.text.length + 1 : 0),
    description,
  };
  const render = RENDERERS.get(req.toolName);
  const body = (isRecord(input) && render?.(input, ctx)) || json(input, ctx);
  const lines = [head, wants, ...body.lines];
  // Claude's description often repeats what the card already shows (Write's is the file name).
  if (descriptionLine && !body.usedDescription && !joinLines(body.lines).text.includes(description)) lines.push(descriptionLine);
  return finish("permission", lines, body.document);
}

function finish(kind: ApprovalCard["kind"], lines: FormattedText[], document?: CardDocument, options?: string[]): ApprovalCard {
  // The bodies are sized to fit; the cut is a guard (and caps the entity count).
  if (joinLines(lines).text.length > CARD_LIMIT) throw new Error(`overflow ${joinLines(lines).text.length}`);
  const text = truncateFormatted(joinLines(lines), CARD_LIMIT);
  return { kind, text, ...(document ? { document } : {}), ...(options ? { options } : {}) };
}

/** The card after a decision: its text, a blank line, then `line` (sanitised, one line), ≤ 4096 units. */
export function withDecision(card: FormattedText, line: string): FormattedText {
  const decision = clip(sanitize(typeof line === "string" ? line : "").replace(/\s+/g, " ").trim(), DECISION_MAX);
  if (!decision) return truncateFormatted(card, MESSAGE_LIMIT);
  const suffix = `\n\n${decision}`;
  const head = truncateFormatted(card, MESSAGE_LIMIT - suffix.length);
  return { text: head.text + suffix, entities: head.entities };
}
