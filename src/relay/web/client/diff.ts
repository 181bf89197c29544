/** One line of a diff: kept (" "), removed ("-") or added ("+"). */
export type DiffLine = { op: " " | "-" | "+"; text: string };

/** Beyond this many line pairs the diff is shown as all removed, then all added (no LCS table). */
const MAX_CELLS = 200_000;

/** A line diff (longest common subsequence) of `before` and `after`. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = lines(before);
  const b = lines(after);
  if (a.length * b.length > MAX_CELLS) return [...a.map((text) => ({ op: "-" as const, text })), ...b.map((text) => ({ op: "+" as const, text }))];
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: " ", text: a[i]! });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) out.push({ op: "+", text: b[j++]! });
    else out.push({ op: "-", text: a[i++]! });
  }
  return out;
}

/** A text's lines; a final newline ends the last line rather than starting an empty one. */
function lines(text: string): string[] {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return text === "" ? [] : body.split("\n");
}
