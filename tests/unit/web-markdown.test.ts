// The web app's Markdown: claude's answer becomes known node kinds only, so HTML in it stays text
// and only web and mail links survive; a half-streamed answer parses too.
import { describe, expect, test } from "bun:test";
import { parseInline, parseMarkdown, safeHref } from "../../src/relay/web/client/markdown";

describe("web markdown", () => {
  test("raw HTML is text, never a node of its own", () => {
    const blocks = parseMarkdown('<img src=x onerror="alert(1)">\n\n<script>alert(2)</script>');
    expect(blocks).toEqual([
      { t: "p", children: [{ t: "text", text: '<img src=x onerror="alert(1)">' }] },
      { t: "p", children: [{ t: "text", text: "<script>alert(2)</script>" }] },
    ]);
  });

  test("only http(s) and mailto links are links", () => {
    expect(parseInline("[a](https://example.com/x)")).toEqual([{ t: "link", href: "https://example.com/x", children: [{ t: "text", text: "a" }] }]);
    for (const bad of ["javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", "vbscript:x", "JaVaScRiPt:alert(1)"]) {
      expect(safeHref(bad)).toBeUndefined();
      const nodes = parseInline(`[click](${bad})`);
      expect(nodes.every((n) => n.t === "text")).toBe(true);
      expect(nodes.map((n) => (n.t === "text" ? n.text : "")).join("")).toBe(`[click](${bad})`);
    }
    expect(parseInline("see https://example.com/a_b.")).toEqual([{ t: "text", text: "see " }, { t: "link", href: "https://example.com/a_b", children: [{ t: "text", text: "https://example.com/a_b" }] }, { t: "text", text: "." }]);
  });

  test("emphasis, code and the usual blocks", () => {
    expect(parseInline("**bold** and *em* and `x < y` and ~~no~~")).toEqual([
      { t: "strong", children: [{ t: "text", text: "bold" }] },
      { t: "text", text: " and " },
      { t: "em", children: [{ t: "text", text: "em" }] },
      { t: "text", text: " and " },
      { t: "code", text: "x < y" },
      { t: "text", text: " and " },
      { t: "del", children: [{ t: "text", text: "no" }] },
    ]);
    const blocks = parseMarkdown("# Title\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n---\n\n```ts\nconst a = 1;\n```");
    expect(blocks.map((b) => b.t)).toEqual(["h", "list", "list", "quote", "hr", "code"]);
    expect(blocks[5]).toEqual({ t: "code", lang: "ts", text: "const a = 1;" });
    expect(blocks[2]).toMatchObject({ ordered: true, start: 1 });
  });

  test("a code fence still open while the answer streams is a code block already", () => {
    expect(parseMarkdown("Here:\n```sh\nnpm test\nnpm run")).toEqual([
      { t: "p", children: [{ t: "text", text: "Here:" }] },
      { t: "code", lang: "sh", text: "npm test\nnpm run" },
    ]);
  });

  test("snake_case words are not emphasis", () => {
    expect(parseInline("call do_this_now please")).toEqual([{ t: "text", text: "call do_this_now please" }]);
  });
});
