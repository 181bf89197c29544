/**
 * A deterministic Markdown answer of about `bytes` bytes, the way Claude writes long ones:
 * headings, paragraphs with bold and inline code, lists, and fenced code blocks with a language
 * (some longer than a message, so splits cut through them).
 */
export function longMarkdown(bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  while (parts.join("\n\n").length < bytes) {
    n++;
    parts.push(`## Section ${n}`);
    parts.push(`Paragraph ${n} explains **step ${n}** of the plan: the function \`step${n}()\` reads the input, checks it and writes the result. Nothing here is escaped by hand.`);
    parts.push(`- item ${n}.1 with \`code\`\n- item ${n}.2, _emphasised_\n- item ${n}.3`);
    const lines = n % 4 === 0 ? 120 : 12;
    const body = Array.from({ length: lines }, (_, i) => `  const value${n}_${i} = compute(${i}); // line ${i} of block ${n}`).join("\n");
    parts.push("```ts\nfunction step" + n + "() {\n" + body + "\n}\n```");
  }
  return parts.join("\n\n").slice(0, bytes).replace(/\s+$/, "") + "\n\nThe end.";
}
