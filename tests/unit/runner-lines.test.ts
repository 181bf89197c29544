import { describe, expect, test } from "bun:test";
import { createLineSplitter, readLines } from "../../src/runner/lines";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `input` to a splitter cut at the given byte offsets and returns all lines. */
function splitAt(input: Uint8Array, cuts: number[]): string[] {
  const splitter = createLineSplitter();
  const lines: string[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    lines.push(...splitter.push(input.subarray(from, cut)));
    from = cut;
  }
  return [...lines, ...splitter.end()];
}

describe("line splitting", () => {
  const input = bytes('{"a":"grüße 🚀"}\n{"b":2}\r\n\n{"c":"日本語"}\npartial');
  const expected = ['{"a":"grüße 🚀"}', '{"b":2}', '{"c":"日本語"}', "partial"];

  test("gives the same lines for every single cut point, including inside multibyte characters", () => {
    for (let cut = 0; cut <= input.length; cut++) expect(splitAt(input, [cut])).toEqual(expected);
  });

  test("gives the same lines when fed one byte at a time", () => {
    expect(splitAt(input, Array.from({ length: input.length }, (_, i) => i))).toEqual(expected);
  });

  test("a 4-byte emoji split across three chunks is decoded once, not as replacement characters", () => {
    const emoji = bytes("🚀\n");
    const splitter = createLineSplitter();
    expect(splitter.push(emoji.subarray(0, 1))).toEqual([]);
    expect(splitter.push(emoji.subarray(1, 3))).toEqual([]);
    expect(splitter.push(emoji.subarray(3))).toEqual(["🚀"]);
    expect(splitter.end()).toEqual([]);
  });

  test("a line far longer than any chunk arrives whole", () => {
    const long = "x".repeat(3_000_000);
    const data = bytes(`${long}\nshort\n`);
    const cuts = Array.from({ length: Math.floor(data.length / 65536) }, (_, i) => (i + 1) * 65536);
    const lines = splitAt(data, cuts);
    expect(lines.length).toBe(2);
    expect(lines[0]?.length).toBe(long.length);
    expect(lines[1]).toBe("short");
  });

  test("readLines yields lines from a byte stream as they complete", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of ["one\ntw", "o\n", "thr", "ee"]) controller.enqueue(bytes(piece));
        controller.close();
      },
    });
    const lines: string[] = [];
    for await (const line of readLines(stream)) lines.push(line);
    expect(lines).toEqual(["one", "two", "three"]);
  });
});
