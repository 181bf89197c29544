import { describe, expect, test } from "bun:test";
import type { MessageEntity } from "grammy/types";
import { markdownToFormatted, validateEntities, type FormattedText } from "../../src/relay/format";

const e = (type: string, offset: number, length: number, extra: Record<string, string> = {}) =>
  ({ type, offset, length, ...extra }) as MessageEntity;
const ft = (text: string, ...entities: MessageEntity[]): FormattedText => ({ text, entities });

function converts(name: string, md: string, expected: FormattedText): void {
  test(name, () => {
    const out = markdownToFormatted(md);
    expect(out).toEqual(expected);
    expect(validateEntities(out)).toBeNull();
  });
}

describe("markdownToFormatted: headings and paragraphs", () => {
  converts("an ATX heading becomes a bold line without the hashes", "# Title\n\nBody text", ft("Title\n\nBody text", e("bold", 0, 5)));
  converts("closing hashes and deeper levels are dropped too", "### Setup ###\n###### Tiny", ft("Setup\nTiny", e("bold", 0, 5), e("bold", 6, 4)));
  converts("#hashtag and seven hashes are not headings", "#hashtag\n####### seven", ft("#hashtag\n####### seven"));
  converts("a heading cannot wrap code, so the bold is cut around it", "## The `run` step", ft("The run step", e("bold", 0, 3), e("code", 4, 3), e("bold", 7, 5)));
  converts("single newlines stay, runs of blank lines collapse to one", "one\ntwo\n\n\n\nthree", ft("one\ntwo\n\nthree"));
  converts("CRLF line endings are normalised", "# A\r\nb\r\n", ft("A\nb", e("bold", 0, 1)));
  converts("a whitespace-only answer is empty", "  \n\t\n", ft(""));
});

describe("markdownToFormatted: emphasis", () => {
  converts("** and __ are bold", "a **b** __c d__", ft("a b c d", e("bold", 2, 1), e("bold", 4, 3)));
  converts("* and _ are italic", "*a* _b_", ft("a b", e("italic", 0, 1), e("italic", 2, 1)));
  converts("*** is bold and italic", "***both***", ft("both", e("bold", 0, 4), e("italic", 0, 4)));
  converts("emphasis nests", "**bold *both* bold**", ft("bold both bold", e("bold", 0, 14), e("italic", 5, 4)));
  converts("~~ is strikethrough, a lone ~ is literal", "~~old~~ in ~5 min", ft("old in ~5 min", e("strikethrough", 0, 3)));
  converts("intraword underscores and arithmetic stars are literal", "snake_case_words, 2*3*4 and x * y", ft("snake_case_words, 2*3*4 and x * y"));
  converts("Python dunders are names, not bold", "edit __init__.py, not __main__", ft("edit __init__.py, not __main__"));
  converts("bold directly before punctuation closes", "**Note:** read this", ft("Note: read this", e("bold", 0, 5)));
  converts("emphasis works between CJK characters", "这是**重要**的内容", ft("这是重要的内容", e("bold", 2, 2)));
  converts("offsets count UTF-16 units after emoji", "👍🏽 *ok* **🎉 done**", ft("👍🏽 ok 🎉 done", e("italic", 5, 2), e("bold", 8, 7)));
  converts("bold around inline code is cut around it", "**run `npm i` now**", ft("run npm i now", e("bold", 0, 3), e("code", 4, 5), e("bold", 9, 4)));
  converts("unclosed ** stays literal", "this is **bold so far", ft("this is **bold so far"));
});

describe("markdownToFormatted: code", () => {
  converts("inline code, nothing parsed inside", "run `a*b*_c_` now", ft("run a*b*_c_ now", e("code", 4, 7)));
  converts("double-backtick spans may hold a backtick", "``a ` b`` and ` x `", ft("a ` b and x", e("code", 0, 5), e("code", 10, 1)));
  converts("an unclosed backtick is literal", "call `foo(", ft("call `foo("));
  converts("a fenced block becomes pre with its language", "Try:\n```ts\nconst x = 1;\n```\nDone", ft("Try:\nconst x = 1;\nDone", e("pre", 5, 12, { language: "ts" })));
  converts("~~~ fences work and a block without a language has none", "~~~\nplain\n~~~", ft("plain", e("pre", 0, 5)));
  converts("nothing is parsed inside a fence", "```\n**no** [x](https://a.com) # h\n```", ft("**no** [x](https://a.com) # h", e("pre", 0, 29)));
  converts("a longer fence holds a shorter one", "````md\n```ts\nx\n```\n````", ft("```ts\nx\n```", e("pre", 0, 11, { language: "md" })));
  converts("an unclosed fence runs to the end (streaming)", "Code:\n```py\nprint(1)\n", ft("Code:\nprint(1)", e("pre", 6, 8, { language: "py" })));
  converts("a lone opening fence is shown literally rather than as nothing", "```ts", ft("```ts"));
  converts(
    "a fence indented under a list item loses that indent",
    "1. Install:\n   ```bash\n   npm i\n   ```\n2. Run",
    ft("1. Install:\nnpm i\n2. Run", e("pre", 12, 5, { language: "bash" })),
  );
});

describe("markdownToFormatted: links", () => {
  converts("an inline link becomes text_link", "see [the docs](https://example.com/a_b) now", ft("see the docs now", e("text_link", 4, 8, { url: "https://example.com/a_b" })));
  converts("a title is ignored and an image links its alt text", '[a](https://x.com "t") ![pic](https://x.com/i.png)', ft("a pic", e("text_link", 0, 1, { url: "https://x.com" }), e("text_link", 2, 3, { url: "https://x.com/i.png" })));
  converts("link text keeps its formatting", "[**big** deal](https://x.com)", ft("big deal", e("text_link", 0, 8, { url: "https://x.com" }), e("bold", 0, 3)));
  converts("code inside a link yields to the link", "[`cfg`](https://x.com)", ft("cfg", e("text_link", 0, 3, { url: "https://x.com" })));
  converts("tg: and mailto: links are allowed", "[me](tg://resolve?domain=x) [mail](mailto:a@b.co)", ft("me mail", e("text_link", 0, 2, { url: "tg://resolve?domain=x" }), e("text_link", 3, 4, { url: "mailto:a@b.co" })));
  converts("other schemes stay plain text with the target shown", "[x](javascript:alert(1))", ft("x (javascript:alert(1))"));
  converts("relative links stay plain text", "[src/a.ts](src/a.ts) and [line 4](src/a.ts#L4)", ft("src/a.ts and line 4 (src/a.ts#L4)"));
  converts("localhost links stay plain (Telegram rejects them)", "[app](http://localhost:3000)", ft("app (http://localhost:3000)"));
  converts("an autolink becomes a text_link", "<https://a.com/x>", ft("https://a.com/x", e("text_link", 0, 15, { url: "https://a.com/x" })));
  converts("bare URLs are left for Telegram to link", "see https://a.com/x_y_z", ft("see https://a.com/x_y_z"));
  converts("an unclosed link is literal (streaming)", "see [the docs](https://exa", ft("see [the docs](https://exa"));
  converts("brackets without a target are literal", "array[0] and [note]", ft("array[0] and [note]"));
});

describe("markdownToFormatted: blocks", () => {
  converts("bullets of every kind, nested by indentation", "- one\n* two\n+ three\n  - nested\n    - deeper", ft("• one\n• two\n• three\n  • nested\n    • deeper"));
  converts("ordered items keep their numbers", "1. first\n2) second\n10. tenth", ft("1. first\n2) second\n10. tenth"));
  converts("list items keep inline formatting", "- **bold** item\n- `code` item", ft("• bold item\n• code item", e("bold", 2, 4), e("code", 14, 4)));
  converts("task list items get boxes", "- [ ] todo\n- [x] done", ft("☐ todo\n☑ done"));
  converts("continuation lines of an item are indented", "- first line\nsecond line", ft("• first line\n  second line"));
  converts("a blockquote becomes a blockquote entity", "> **Note**\n> text", ft("Note\ntext", e("blockquote", 0, 9), e("bold", 0, 4)));
  converts("a nested quote flattens into the outer one", "> a\n>> b\n> c", ft("a\nb\nc", e("blockquote", 0, 5)));
  converts("code inside a quote is allowed", "> run `x`", ft("run x", e("blockquote", 0, 5), e("code", 4, 1)));
  converts("horizontal rules become a dash line", "a\n\n---\n\n* * *\n___", ft("a\n\n———\n\n———\n———"));
  converts("a table is kept as-is in a pre block", "| a | b |\n|---|---|\n| 1 | **2** |", ft("| a | b |\n|---|---|\n| 1 | **2** |", e("pre", 0, 33)));
  converts("a table without outer pipes is detected by its rule row", "a | b\n--|--\n1 | 2", ft("a | b\n--|--\n1 | 2", e("pre", 0, 17)));
  converts("HTML tags stay literal", "<details>\n<summary>Hi</summary> <br>", ft("<details>\n<summary>Hi</summary> <br>"));
  converts("backslash escapes make characters literal", "\\*not\\* \\_x\\_ \\`y\\` \\# \\\\ a\\b", ft("*not* _x_ `y` # \\ a\\b"));
  converts("a trailing backslash is a line break", "a\\\nb", ft("a\nb"));
});

describe("markdownToFormatted: guards", () => {
  test("a message-sized answer keeps at most 100 entities, code before italics", () => {
    const md = Array.from({ length: 80 }, (_, i) => `\`c${i}\` *i${i}*`).join(" ");
    const out = markdownToFormatted(md);
    expect(out.entities).toHaveLength(100);
    expect(out.entities.filter((x) => x.type === "code")).toHaveLength(80);
    expect(validateEntities(out)).toBeNull();
  });

  test("an answer longer than one message is not capped (splitting caps each piece)", () => {
    const md = Array.from({ length: 1500 }, (_, i) => `\`c${i}\``).join(" ");
    const out = markdownToFormatted(md);
    expect(out.text.length).toBeGreaterThan(4096);
    expect(out.entities).toHaveLength(1500);
  });
});
