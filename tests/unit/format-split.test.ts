import { describe, expect, test } from "bun:test";
import type { MessageEntity } from "grammy/types";
import { bold, code, concatFormatted, markdownToFormatted, plain, pre, splitFormatted, validateEntities, type FormattedText } from "../../src/relay/format";

const e = (type: string, offset: number, length: number, extra: Record<string, string> = {}) =>
  ({ type, offset, length, ...extra }) as MessageEntity;
const ft = (text: string, ...entities: MessageEntity[]): FormattedText => ({ text, entities });

describe("splitFormatted", () => {
  test("returns short text as one piece and empty text as none", () => {
    expect(splitFormatted(bold("hi"))).toEqual([bold("hi")]);
    expect(splitFormatted(plain(""))).toEqual([]);
  });

  test("prefers a paragraph break in the last quarter of the window", () => {
    const text = `${"a".repeat(40)}\n${"b".repeat(9)}\n\n${"c".repeat(30)}`;
    expect(splitFormatted(plain(text), 60).map((p) => p.text)).toEqual([`${"a".repeat(40)}\n${"b".repeat(9)}`, "c".repeat(30)]);
  });

  test("falls back to a line break, then a space, then a hard cut", () => {
    expect(splitFormatted(plain(`${"a".repeat(50)}\n${"b".repeat(30)}`), 60).map((p) => p.text)).toEqual(["a".repeat(50), "b".repeat(30)]);
    expect(splitFormatted(plain(`${"a".repeat(50)} ${"b".repeat(30)}`), 60).map((p) => p.text)).toEqual(["a".repeat(50), "b".repeat(30)]);
    // The space at 10 is outside the last quarter of the window, so the cut is hard.
    expect(splitFormatted(plain(`${"a".repeat(10)} ${"b".repeat(20)}`), 20).map((p) => p.text)).toEqual([`${"a".repeat(10)} bbbbbbbbb`, "b".repeat(11)]);
  });

  test("never cuts a surrogate pair", () => {
    const pieces = splitFormatted(plain("😀".repeat(10)), 5);
    expect(pieces.map((p) => p.text)).toEqual(["😀😀", "😀😀", "😀😀", "😀😀", "😀😀"]);
  });

  test("splits an entity crossing the cut into both pieces", () => {
    const input = concatFormatted(plain("intro "), bold(`${"x".repeat(20)} ${"y".repeat(20)}`));
    expect(splitFormatted(input, 30)).toEqual([ft(`intro ${"x".repeat(20)}`, e("bold", 6, 20)), ft("y".repeat(20), e("bold", 0, 20))]);
  });

  test("reopens a pre with its language and trims leading newlines of the continuation", () => {
    const lines = Array.from({ length: 8 }, (_, i) => `line ${i}`).join("\n");
    const input = concatFormatted(plain("Code:\n\n"), pre(lines, "ts"));
    expect(splitFormatted(input, 40)).toEqual([
      ft("Code:\n\nline 0\nline 1\nline 2\nline 3", e("pre", 7, 27, { language: "ts" })),
      ft("line 4\nline 5\nline 6\nline 7", e("pre", 0, 27, { language: "ts" })),
    ]);
  });

  test("caps each piece at 100 entities, keeping the most important", () => {
    const parts = [pre("block", "sh"), plain("\n")];
    for (let i = 0; i < 150; i++) parts.push(code(`c${i}`), plain(" "));
    const pieces = splitFormatted(concatFormatted(...parts));
    expect(pieces).toHaveLength(1);
    expect(pieces[0]!.entities).toHaveLength(100);
    expect(pieces[0]!.entities[0]).toEqual(e("pre", 0, 5, { language: "sh" }));
    expect(validateEntities(pieces[0]!)).toBeNull();
  });

  test("repairs invalid input entities in every piece", () => {
    const pieces = splitFormatted(ft("abc def", e("bold", 0, 5), e("italic", 2, 5), e("code", 1, 1)), 4);
    for (const piece of pieces) expect(validateEntities(piece)).toBeNull();
    expect(pieces.map((p) => p.text)).toEqual(["abc", "def"]);
  });
});

describe("splitting a 20 KB answer", () => {
  const block = (lang: string, n: number) =>
    "```" + lang + "\n" + Array.from({ length: n }, (_, i) => `const value${i} = compute(${i}); // step ${i} of the ${lang} example`).join("\n") + "\n```";
  const prose = (n: number) => Array.from({ length: n }, (_, i) => `Paragraph ${i} explains **why** the \`step\` matters, see [docs](https://example.com/${i}).`).join("\n\n");
  const answer = [
    "## Plan",
    prose(6),
    block("ts", 130),
    prose(5),
    block("python", 100),
    "- first point\n- second point\n  - nested point",
    block("bash", 80),
    prose(12),
  ].join("\n\n");

  test("every piece is valid, within the limit and non-empty; together they hold all the text", () => {
    expect(answer.length).toBeGreaterThan(20_000);
    const whole = markdownToFormatted(answer);
    const pieces = splitFormatted(whole);
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    let cursor = 0;
    for (const piece of pieces) {
      expect(piece.text.length).toBeLessThanOrEqual(4000);
      expect(piece.text.trim()).not.toBe("");
      expect(validateEntities(piece)).toBeNull();
      const at = whole.text.indexOf(piece.text, cursor);
      expect(whole.text.slice(cursor, at).trim()).toBe("");
      cursor = at + piece.text.length;
    }
    expect(whole.text.slice(cursor).trim()).toBe("");
  });

  test("a code block cut in two is a pre with the same language in both pieces", () => {
    const pieces = splitFormatted(markdownToFormatted(answer));
    let cuts = 0;
    for (let i = 0; i + 1 < pieces.length; i++) {
      const [a, b] = [pieces[i]!, pieces[i + 1]!];
      const tail = a.entities.find((x) => x.type === "pre" && x.offset + x.length === a.text.length);
      const head = b.entities.find((x) => x.type === "pre" && x.offset === 0);
      if (!tail || !head || tail.type !== "pre" || head.type !== "pre") continue;
      expect(head.language).toBe(tail.language!);
      expect(["ts", "python", "bash"]).toContain(head.language!);
      cuts++;
    }
    expect(cuts).toBeGreaterThanOrEqual(1);
  });
});
