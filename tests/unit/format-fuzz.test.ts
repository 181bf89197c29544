import { describe, expect, test } from "bun:test";
import { concatFormatted, italic, markdownToFormatted, plain, splitFormatted, validateEntities, type FormattedText } from "../../src/relay/format";
import { mulberry32 } from "../helpers/prng";

const TOKENS = [
  "*", "**", "***", "_", "__", "~", "~~", "`", "``", "```", "```ts\n", "\n```\n", "~~~", "~~~~\n", "[", "]", "(", ")",
  "](https://e.com/x)", "](javascript:x)", "](rel/path)", "<https://a.b/c>", "<", ">", "> ", "#", "# ", "## ", "-", "- ",
  "* ", "+ ", "1. ", "2) ", "- [ ] ", "|", "| a | b |\n|---|---|\n", "---", "\n", "\n", "\n\n", " ", " ", "  ", "\t",
  "\\", "\\*", "a", "word", "snake_case_name", "2*3*4", "😀", "👍🏽", "👨‍👩‍👧", "中文字", "한국어", "e\u0301", "https://x.io/a_b",
  "<b>", "</b>", "!", "![", "\u200b", "\r\n",
];

function randomInput(rand: () => number): string {
  const mode = rand();
  const n = Math.floor(rand() * 120);
  let s = "";
  if (mode < 0.1) {
    // Raw UTF-16 code units, lone surrogates included.
    for (let i = 0; i < n; i++) s += String.fromCharCode(rand() < 0.3 ? 0xd800 + Math.floor(rand() * 0x800) : Math.floor(rand() * 0x3000));
    return s;
  }
  for (let i = 0; i < n; i++) {
    const token = TOKENS[Math.floor(rand() * TOKENS.length)]!;
    // Occasionally a long run of one token: nested fences, deep quotes, huge delimiter runs.
    s += rand() < 0.05 ? token.repeat(2 + Math.floor(rand() * 40)) : token;
  }
  return s;
}

/** Null when the pieces are a faithful, valid split of `whole`, else what is wrong. */
function checkSplit(whole: FormattedText, pieces: FormattedText[], limit: number): string | null {
  if (whole.text.trim() && pieces.length === 0) return "no pieces for non-empty text";
  let cursor = 0;
  for (const [i, piece] of pieces.entries()) {
    if (!piece.text.trim()) return `piece ${i} is blank`;
    if (piece.text.length > limit) return `piece ${i} has ${piece.text.length} > ${limit} units`;
    const invalid = validateEntities(piece);
    if (invalid) return `piece ${i}: ${invalid}`;
    // Between pieces only break whitespace may be dropped.
    let at = cursor;
    while (!whole.text.startsWith(piece.text, at) && at < whole.text.length && /\s/.test(whole.text[at]!)) at++;
    if (!whole.text.startsWith(piece.text, at)) return `piece ${i} is not the text after offset ${cursor}`;
    cursor = at + piece.text.length;
  }
  if (whole.text.slice(cursor).trim()) return `text after offset ${cursor} was lost`;
  return null;
}

function checkConversion(md: string, limit: number): string | null {
  let out: FormattedText;
  try {
    out = markdownToFormatted(md);
  } catch (err) {
    return `markdownToFormatted threw ${(err as Error).stack}`;
  }
  const invalid = validateEntities(out);
  if (invalid) return `invalid entities: ${invalid}`;
  if (md.trim() && !out.text.trim()) return "empty output for non-blank input";
  if (out.entities.some((x) => x.length <= 0)) return "empty entity";
  let pieces: FormattedText[];
  try {
    pieces = splitFormatted(out, limit);
  } catch (err) {
    return `splitFormatted threw ${(err as Error).stack}`;
  }
  return checkSplit(out, pieces, limit);
}

describe("property: random and adversarial Markdown", () => {
  const SEEDS = [1, 2, 3, 42, 1337, 20240601, 0xdecaf, 0xc0ffee];
  const CASES_PER_SEED = 500;
  for (const seed of SEEDS) {
    test(`seed ${seed}: never throws, entities valid, splits faithful`, () => {
      const rand = mulberry32(seed);
      for (let i = 0; i < CASES_PER_SEED; i++) {
        const md = randomInput(rand);
        const limit = 2 + Math.floor(rand() * 200);
        const problem = checkConversion(md, limit);
        if (problem) throw new Error(`seed ${seed}, case ${i}, limit ${limit}: ${problem}\ninput: ${JSON.stringify(md)}`);
      }
    });
  }

  test("huge delimiter and bracket runs stay fast and valid", () => {
    for (const md of ["*".repeat(5000), "_a_ *b* ".repeat(1500), "[".repeat(5000), "[a](".repeat(2000), ">".repeat(3000), "`` ` ".repeat(2000), "~~~\n".repeat(2000)]) {
      expect(checkConversion(md, 4000)).toBeNull();
    }
  });
});

const ANSWER = `## Summary

I found the bug in \`src/relay/hub.ts\`: the **reconnect** handler never clears the *pending* map, so stale
requests pile up. See [the docs](https://bun.sh/docs/api/websockets) and <https://grammy.dev>.

### Fix

1. Clear the map on close:
   \`\`\`ts
   socket.on("close", () => {
     pending.clear(); // 👍 no more leaks
   });
   \`\`\`
2. Add a test in \`tests/unit/hub.test.ts\`.
   - covers **reconnect**
   - covers ~~timeouts~~ retries

> **Note:** the old behaviour was _intentional_ in v0.1 — see snake_case_names like max_retry_count.

| File | Change |
|------|--------|
| hub.ts | clear map |

---

\`\`\`bash
bun test tests/unit/hub.test.ts
\`\`\`

Done — 2*3*4 = 24 checks passed. 中文 **粗体** 测试 🎉`;

describe("streaming: every prefix of a realistic answer", () => {
  test("converts to valid, non-empty output, and splits with a footer stay valid", () => {
    for (let n = 1; n <= ANSWER.length; n++) {
      const prefix = ANSWER.slice(0, n);
      const problem = checkConversion(prefix, 200);
      if (problem) throw new Error(`prefix ${n}: ${problem}\ninput: ${JSON.stringify(prefix)}`);
      const out = markdownToFormatted(prefix);
      const withFooter = concatFormatted(out, plain("\n\n"), italic("⏳ lap is working…"));
      for (const piece of splitFormatted(withFooter, 300)) expect(validateEntities(piece)).toBeNull();
    }
  });

  test("a code block still being written already renders as pre", () => {
    const cut = ANSWER.indexOf("pending.clear()") + 5;
    const out = markdownToFormatted(ANSWER.slice(0, cut));
    const last = out.entities[out.entities.length - 1]!;
    expect(last).toEqual({ type: "pre", offset: out.text.indexOf("socket.on"), length: out.text.length - out.text.indexOf("socket.on"), language: "ts" });
  });

  test("the finished answer has the expected shape", () => {
    const out = markdownToFormatted(ANSWER);
    expect(out.text.startsWith("Summary\n\nI found the bug in src/relay/hub.ts: the reconnect handler")).toBe(true);
    expect(out.text).toContain("1. Clear the map on close:\nsocket.on(\"close\", () => {\n  pending.clear();");
    expect(out.text).toContain("  • covers reconnect\n  • covers timeouts retries");
    expect(out.text).toContain("2*3*4 = 24");
    const types = out.entities.map((x) => x.type);
    for (const type of ["bold", "italic", "code", "pre", "text_link", "blockquote", "strikethrough"]) expect(types).toContain(type as never);
    expect(out.entities.filter((x) => x.type === "pre").map((x) => (x.type === "pre" ? x.language : ""))).toEqual(["ts", undefined, "bash"]);
  });
});
