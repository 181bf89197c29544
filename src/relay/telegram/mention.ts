/** Machine names as `ra pair --name` accepts them. */
const NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,31}";
const MENTION = new RegExp(`^@(${NAME})(?:\\s+([\\s\\S]*))?$`);

/** `@laptop run the tests` → { name: "laptop", prompt: "run the tests" }; prompt is "" when missing. */
export function parseMention(text: string): { name: string; prompt: string } | undefined {
  const match = text.trim().match(MENTION);
  if (!match) return undefined;
  return { name: match[1]!, prompt: (match[2] ?? "").trim() };
}
