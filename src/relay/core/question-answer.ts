/** AskUserQuestion: what claude gets back when the owner picks option `chosenIndex` of the first question. */
export function questionAnswer(input: Record<string, unknown>, chosenIndex: number): Record<string, unknown> {
  const first = Array.isArray(input.questions) ? input.questions[0] : undefined;
  if (!isRecord(first) || typeof first.question !== "string" || !Array.isArray(first.options)) return { ...input };
  if (!Number.isInteger(chosenIndex) || chosenIndex < 0) return { ...input };
  const label = optionLabel(first.options[chosenIndex]);
  if (label === undefined) return { ...input };
  const earlier = isRecord(input.answers) ? input.answers : {};
  return { ...input, answers: { ...earlier, [first.question]: label } };
}

/** An option is a string or `{ label, description }`. */
export function optionLabel(option: unknown): string | undefined {
  if (typeof option === "string") return option;
  return isRecord(option) && typeof option.label === "string" ? option.label : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
