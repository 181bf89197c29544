import { describe, expect, test } from "bun:test";
import type { MessageEntity } from "grammy/types";
import {
  blockquote,
  bold,
  code,
  concatFormatted,
  italic,
  link,
  normalizeFormatted,
  plain,
  pre,
  truncateFormatted,
  validateEntities,
  type FormattedText,
} from "../../src/relay/format";

const e = (type: string, offset: number, length: number, extra: Record<string, string> = {}) =>
  ({ type, offset, length, ...extra }) as MessageEntity;
const ft = (text: string, ...entities: MessageEntity[]): FormattedText => ({ text, entities });

describe("builders", () => {
  test("wrap the whole text in one entity", () => {
    expect(plain("hi")).toEqual(ft("hi"));
    expect(bold("hi")).toEqual(ft("hi", e("bold", 0, 2)));
    expect(italic("hi")).toEqual(ft("hi", e("italic", 0, 2)));
    expect(code("ls -la")).toEqual(ft("ls -la", e("code", 0, 6)));
    expect(pre("x = 1", "python")).toEqual(ft("x = 1", e("pre", 0, 5, { language: "python" })));
    expect(pre("x = 1")).toEqual(ft("x = 1", e("pre", 0, 5)));
    expect(link("docs", "https://grammy.dev")).toEqual(ft("docs", e("text_link", 0, 4, { url: "https://grammy.dev" })));
    expect(blockquote("q")).toEqual(ft("q", e("blockquote", 0, 1)));
    expect(blockquote("q", true)).toEqual(ft("q", e("expandable_blockquote", 0, 1)));
  });

  test("emit no entity for empty or whitespace-only text, and trim trailing whitespace", () => {
    expect(bold("")).toEqual(ft(""));
    expect(italic("  \n")).toEqual(ft("  \n"));
    expect(bold("done \n")).toEqual(ft("done \n", e("bold", 0, 4)));
  });

  test("leave an unsafe link as plain text", () => {
    expect(link("x", "javascript:alert(1)")).toEqual(ft("x"));
    expect(link("x", "http://localhost:8080")).toEqual(ft("x"));
  });

  test("wrap formatted content, cutting formatting around code and dropping nested quotes", () => {
    const inner = concatFormatted(plain("run "), code("ls"), plain(" now"));
    expect(bold(inner)).toEqual(ft("run ls now", e("bold", 0, 3), e("code", 4, 2), e("bold", 6, 4)));
    expect(blockquote(concatFormatted(plain("a "), blockquote("b")), true)).toEqual(ft("a b", e("expandable_blockquote", 0, 3)));
  });

  test("replace lone surrogates, which Telegram cannot decode", () => {
    expect(plain("a\ud800b")).toEqual(ft("a\ufffdb"));
  });
});

describe("concatFormatted", () => {
  test("shifts each part's entities by the text before it", () => {
    const out = concatFormatted(bold("✅ ok"), plain(" · "), code("ra agent"), plain(""), italic("🎉"));
    expect(out).toEqual(ft("✅ ok · ra agent🎉", e("bold", 0, 4), e("code", 7, 8), e("italic", 15, 2)));
    expect(validateEntities(out)).toBeNull();
  });

  test("does not mutate its inputs", () => {
    const b = bold("x");
    concatFormatted(plain("abc"), b);
    expect(b).toEqual(ft("x", e("bold", 0, 1)));
  });

  test("of nothing is empty", () => {
    expect(concatFormatted()).toEqual(ft(""));
  });
});

describe("validateEntities", () => {
  const cases: Array<[string, FormattedText, boolean]> = [
    ["no entities", ft("abc"), true],
    ["nested formatting", ft("abcd", e("bold", 0, 4), e("italic", 1, 2), e("underline", 1, 1)), true],
    ["formatting inside a link", ft("abcd", e("text_link", 0, 4, { url: "https://a.com" }), e("bold", 0, 2)), true],
    ["code and pre inside a blockquote", ft("abcd", e("blockquote", 0, 4), e("code", 0, 1), e("pre", 2, 2)), true],
    ["identical ranges of bold and italic", ft("ab", e("italic", 0, 2), e("bold", 0, 2)), true],
    ["empty entity", ft("abc", e("bold", 1, 0)), false],
    ["entity past the end", ft("abc", e("bold", 1, 3)), false],
    ["negative offset", ft("abc", e("bold", -1, 2)), false],
    ["fractional length", ft("abc", e("bold", 0, 1.5)), false],
    ["unknown type", ft("abc", e("sparkle", 0, 1)), false],
    ["partial overlap", ft("abcd", e("bold", 0, 2), e("italic", 1, 2)), false],
    ["bold inside code", ft("abcd", e("code", 0, 4), e("bold", 1, 1)), false],
    ["code inside bold", ft("abcd", e("bold", 0, 4), e("code", 1, 1)), false],
    ["link inside link", ft("abcd", e("text_link", 0, 4, { url: "https://a.com" }), e("text_link", 1, 1, { url: "https://b.com" })), false],
    ["code inside a link", ft("abcd", e("text_link", 0, 4, { url: "https://a.com" }), e("code", 1, 1)), false],
    ["nested blockquotes", ft("abcd", e("blockquote", 0, 4), e("expandable_blockquote", 1, 2)), false],
    ["start inside a surrogate pair", ft("a😀b", e("bold", 2, 2)), false],
    ["end inside a surrogate pair", ft("a😀b", e("bold", 0, 2)), false],
    ["unsafe link url", ft("abc", e("text_link", 0, 1, { url: "javascript:x" })), false],
    ["lone surrogate in text", ft("a\udc00"), false],
    ["more than 100 entities in one message", ft("x".repeat(202), ...Array.from({ length: 101 }, (_, i) => e("bold", i * 2, 1))), false],
  ];
  for (const [name, input, valid] of cases) {
    test(`${valid ? "accepts" : "rejects"} ${name}`, () => {
      const reason = validateEntities(input);
      if (valid) expect(reason).toBeNull();
      else expect(reason).toBeString();
    });
  }

  test("allows more than 100 entities in text too long for one message (splitting caps them)", () => {
    const text = "x ".repeat(3000);
    expect(validateEntities(ft(text, ...Array.from({ length: 150 }, (_, i) => e("bold", i * 2, 1))))).toBeNull();
  });
});

describe("normalizeFormatted", () => {
  test("repairs overlaps, forbidden nesting, surrogate cuts and out-of-range entities", () => {
    const broken = ft(
      "a😀 bold code",
      e("bold", 0, 2), // ends inside the emoji: widened to cover it
      e("italic", 4, 100), // past the end: clamped, then cut around the code
      e("code", 9, 4),
      e("strikethrough", 10, 1), // inside code: dropped
      e("underline", 3, 3), // partial overlap with the italic: cut at its start, the space before dropped
      e("bold", 5, 0), // empty: dropped
    );
    const fixed = normalizeFormatted(broken);
    expect(fixed).toEqual(
      ft("a😀 bold code", e("bold", 0, 3), e("italic", 4, 4), e("underline", 4, 2), e("code", 9, 4)),
    );
    expect(validateEntities(fixed)).toBeNull();
  });

  test("caps entities by dropping the least important, innermost first", () => {
    const entities = [e("pre", 0, 3), ...Array.from({ length: 120 }, (_, i) => e(i % 2 ? "italic" : "bold", 4 + i * 2, 1))];
    const fixed = normalizeFormatted(ft(`pre${" x".repeat(120)}`, ...entities), 100);
    expect(fixed.entities).toHaveLength(100);
    expect(fixed.entities.filter((x) => x.type === "italic")).toHaveLength(39);
    expect(fixed.entities[0]).toEqual(e("pre", 0, 3));
  });
});

describe("truncateFormatted", () => {
  test("keeps short text unchanged", () => {
    expect(truncateFormatted(bold("short"), 10)).toEqual(bold("short"));
  });

  test("cuts entities at the limit and appends the ellipsis outside them", () => {
    expect(truncateFormatted(concatFormatted(bold("hello "), code("world")), 9)).toEqual(ft("hello wo…", e("bold", 0, 5), e("code", 6, 2)));
  });

  test("never cuts a surrogate pair and honours a custom ellipsis", () => {
    expect(truncateFormatted(plain("😀😀😀"), 4, "~")).toEqual(ft("😀~"));
    expect(truncateFormatted(plain("abcdef"), 2, "...")).toEqual(ft(".."));
  });
});
