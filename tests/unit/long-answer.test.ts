import { describe, expect, test } from "bun:test";
import { markdownToFormatted, splitFormatted, validateEntities } from "../../src/relay/format";
import { layoutMessages } from "../../src/relay/telegram/long-answer";
import { longMarkdown } from "../helpers/long-markdown";

describe("long answers", () => {
  test("up to the limit, the answer is just its split pieces", () => {
    const whole = markdownToFormatted(longMarkdown(9000));
    const pieces = splitFormatted(whole);
    expect(layoutMessages(whole, pieces.length)).toEqual({ pieces, overflow: false });
  });

  test("past the limit, the head pieces stay and the last message is the live tail of the text", () => {
    const whole = markdownToFormatted(longMarkdown(20_000));
    const pieces = splitFormatted(whole);
    expect(pieces.length).toBeGreaterThan(3);
    const layout = layoutMessages(whole, 3);
    expect(layout.overflow).toBe(true);
    expect(layout.pieces).toHaveLength(3);
    expect(layout.pieces.slice(0, 2)).toEqual(pieces.slice(0, 2));
    const tail = layout.pieces[2]!;
    expect(tail.text).toStartWith("… more above; the whole answer comes as a file at the end\n\n");
    expect(tail.text).toEndWith("The end.");
    expect(whole.text.endsWith(tail.text.slice(tail.text.indexOf("\n\n") + 2))).toBe(true);
    for (const piece of layout.pieces) {
      expect(piece.text.length).toBeLessThanOrEqual(4096);
      expect(validateEntities(piece)).toBeNull();
    }
    expect(layoutMessages(whole, 3, true).pieces[2]!.text).toStartWith("… the whole answer is in the file below");
  });

  test("the tail never repeats what the head already shows", () => {
    for (const size of [13_000, 16_000, 24_000]) {
      const whole = markdownToFormatted(longMarkdown(size));
      const layout = layoutMessages(whole, 3);
      expect(layout.overflow).toBe(true);
      const headEnd = whole.text.indexOf(layout.pieces[1]!.text) + layout.pieces[1]!.text.length;
      const tail = layout.pieces[2]!.text;
      const shown = tail.slice(tail.indexOf("\n\n") + 2);
      expect(whole.text.lastIndexOf(shown)).toBeGreaterThanOrEqual(headEnd);
    }
  });

  test("a limit of one message streams only the tail", () => {
    const whole = markdownToFormatted(longMarkdown(10_000));
    const layout = layoutMessages(whole, 1);
    expect(layout.pieces).toHaveLength(1);
    expect(layout.pieces[0]!.text).toStartWith("… the whole answer comes as a file at the end");
  });
});
