/**
 * A unified diff (as `diff -u` / `git diff` print it) of one file's text before and after, with
 * three lines of context. The unchanged ends are set aside first (edits are usually local); the
 * middle is compared line by line when that stays small, else shown as removed then added.
 */
const CONTEXT = 3;
/** Cells of the comparison table above which the middle is shown whole (removed, then added). */
const MAX_CELLS = 4_000_000;

type Line = { op: " " | "-" | "+"; text: string };

const split = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));

export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  const header = `--- ${before === null ? "/dev/null" : `a/${path}`}\n+++ ${after === null ? "/dev/null" : `b/${path}`}\n`;
  const a = split(before ?? "");
  const b = split(after ?? "");
  const lines = compare(a, b);
  if (!lines.some((l) => l.op !== " ")) return "";
  return header + hunks(lines).join("");
}

function compare(a: string[], b: string[]): Line[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const middle = midA.length * midB.length <= MAX_CELLS ? lcsLines(midA, midB) : [...midA.map((text) => ({ op: "-" as const, text })), ...midB.map((text) => ({ op: "+" as const, text }))];
  return [...a.slice(0, head).map((text) => ({ op: " " as const, text })), ...middle, ...a.slice(a.length - tail).map((text) => ({ op: " " as const, text }))];
}

/** Longest common subsequence of lines, walked into removals, additions and kept lines. */
function lcsLines(a: string[], b: string[]): Line[] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = a[i] === b[j] ? table[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(table[(i + 1) * (m + 1) + j]!, table[i * (m + 1) + j + 1]!);
    }
  }
  const out: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: " ", text: a[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || table[(i + 1) * (m + 1) + j]! >= table[i * (m + 1) + j + 1]!)) {
      out.push({ op: "-", text: a[i++]! });
    } else {
      out.push({ op: "+", text: b[j++]! });
    }
  }
  return out;
}

function hunks(lines: Line[]): string[] {
  const out: string[] = [];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  while (i < lines.length) {
    if (lines[i]!.op === " ") {
      i++;
      oldLine++;
      newLine++;
      continue;
    }
    // A hunk: back up to CONTEXT kept lines, run to the last change followed by more than 2×CONTEXT kept lines.
    const start = Math.max(0, i - CONTEXT);
    let oldStart = oldLine - (i - start);
    let newStart = newLine - (i - start);
    let end = i;
    let kept = 0;
    for (let k = i; k < lines.length; k++) {
      if (lines[k]!.op === " ") {
        if (++kept > 2 * CONTEXT) break;
      } else {
        kept = 0;
        end = k;
      }
    }
    const stop = Math.min(lines.length, end + 1 + CONTEXT);
    const body = lines.slice(start, stop);
    const oldCount = body.filter((l) => l.op !== "+").length;
    const newCount = body.filter((l) => l.op !== "-").length;
    if (oldCount === 0) oldStart--;
    if (newCount === 0) newStart--;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@\n${body.map((l) => `${l.op}${l.text}\n`).join("")}`);
    for (let k = i; k < stop; k++) {
      if (lines[k]!.op !== "+") oldLine++;
      if (lines[k]!.op !== "-") newLine++;
    }
    i = stop;
  }
  return out;
}
