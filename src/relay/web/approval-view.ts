import type { WebApproval, WebEdit, WebQuestion } from "../../proto/web";
import { optionLabel } from "../core/question-answer";
import { describeRule, ruleChoices } from "../core/session-rules";
import { maskSecrets } from "../mask-secrets";
import type { Approval } from "../store/types";

/** Characters of a tool's input, a plan or one side of an edit a card shows. */
const INPUT_SHOWN = 4000;
const TEXT_SHOWN = 20_000;

const shown = (text: string, max = TEXT_SHOWN) => maskSecrets(text.length > max ? `${text.slice(0, max)}\n…` : text).text;
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** An approval as the browser's card shows it: secrets masked, long text cut, the kind of card it is. */
export function approvalView(a: Approval): WebApproval {
  const input = parse(a.input);
  const record = isRecord(input) ? input : {};
  const choices = ruleChoices(a.toolName, record);
  const edits = editsOf(a.toolName, record);
  const plan = a.toolName === "ExitPlanMode" ? str(record.plan) : undefined;
  const question = a.toolName === "AskUserQuestion" ? questionOf(record) : undefined;
  return {
    id: a.id,
    turnId: a.turnId,
    deviceId: a.deviceId,
    toolName: a.toolName,
    kind: plan !== undefined ? "plan" : question ? "question" : edits ? "edit" : "tool",
    input: shown(JSON.stringify(input, null, 2) ?? a.input, INPUT_SHOWN),
    description: a.description === null ? null : maskSecrets(a.description).text,
    ...(choices ? { always: { narrow: describeRule(choices.narrow), ...(choices.wide ? { wide: describeRule(choices.wide) } : {}) } } : {}),
    ...(edits ? { edits } : {}),
    ...(plan !== undefined ? { plan: shown(plan) } : {}),
    ...(question ? { question } : {}),
    createdAt: a.createdAt,
  };
}

function editsOf(tool: string, input: Record<string, unknown>): WebEdit[] | undefined {
  const path = str(input.file_path);
  if (!path) return undefined;
  if (tool === "Write" && typeof input.content === "string") return [{ path, before: "", after: shown(input.content) }];
  if (tool === "Edit" && typeof input.old_string === "string" && typeof input.new_string === "string") {
    return [{ path, before: shown(input.old_string), after: shown(input.new_string) }];
  }
  if (tool === "MultiEdit" && Array.isArray(input.edits)) {
    const edits = input.edits.filter(isRecord).flatMap((e) => (typeof e.old_string === "string" && typeof e.new_string === "string" ? [{ path, before: shown(e.old_string), after: shown(e.new_string) }] : []));
    return edits.length ? edits.slice(0, 50) : undefined;
  }
  return undefined;
}

function questionOf(input: Record<string, unknown>): WebQuestion | undefined {
  const all = Array.isArray(input.questions) ? input.questions.filter(isRecord) : [];
  const first = all[0];
  if (!first || typeof first.question !== "string" || !Array.isArray(first.options)) return undefined;
  const options = first.options.flatMap((o) => {
    const label = optionLabel(o);
    const description = isRecord(o) ? str(o.description) : undefined;
    return label === undefined ? [] : [{ label: shown(label, 300), ...(description ? { description: shown(description, 600) } : {}) }];
  });
  if (options.length === 0) return undefined;
  return {
    ...(str(first.header) ? { header: shown(str(first.header)!, 200) } : {}),
    question: shown(first.question, 2000),
    options,
    ...(first.multiSelect === true ? { multiSelect: true } : {}),
    ...(all.length > 1 ? { more: all.length - 1 } : {}),
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
