import { describe, expect, test } from "bun:test";
import { lineChange } from "../../src/agent/tool-change";
import { validateEntities } from "../../src/relay/format";
import { OUTPUT_SHOWN, parseTools, renderToolSection, toolFinished, toolStarted, type ToolActivity } from "../../src/relay/telegram/tool-activity";

const start = (tools: ToolActivity[], id: string, name: string, summary: string, at: number, extra: { added?: number; removed?: number } = {}) =>
  toolStarted(tools, { toolUseId: id, name, summary, ...extra }, at);

describe("tool activity section", () => {
  test("one compact line per tool: command in code with its time, edits with +/− lines, searches quoted", () => {
    let tools: ToolActivity[] = [];
    tools = start(tools, "1", "Bash", "npm test", 0);
    tools = toolFinished(tools, { toolUseId: "1", isError: false, output: "12 passed" }, 12_000);
    tools = start(tools, "2", "Edit", "src/app.ts", 12_000, { added: 12, removed: 3 });
    tools = toolFinished(tools, { toolUseId: "2", isError: false, output: "ok" }, 12_100);
    tools = start(tools, "3", "Grep", "TODO", 12_100);
    const ft = renderToolSection(tools, 13_000, false);
    expect(ft.text.split("\n").slice(0, 3)).toEqual(["⚙ Bash npm test (12 s)", "✎ Edit src/app.ts +12 −3", "🔎 Grep 'TODO' (0 s…)"]);
    expect(ft.entities).toContainEqual({ type: "code", offset: "⚙ Bash ".length, length: "npm test".length });
    expect(validateEntities(ft)).toBeNull();
  });

  test("while running only the last three tools show, earlier ones fold into a count; the newest output is an expandable quote, truncated", () => {
    let tools: ToolActivity[] = [];
    for (let i = 1; i <= 5; i++) tools = start(tools, String(i), "Bash", `step ${i}`, i * 1000);
    tools = toolFinished(tools, { toolUseId: "5", isError: true, output: "x".repeat(5000) }, 9000);
    const ft = renderToolSection(tools, 9000, false);
    const lines = ft.text.split("\n");
    expect(lines[0]).toBe("… 2 earlier steps");
    expect(lines.slice(1, 4).map((l) => l.replace(/ \(.*$/, ""))).toEqual(["⚙ Bash step 3", "⚙ Bash step 4", "⚙ Bash step 5"]);
    expect(lines[3]).toEndWith("✗");
    const quote = ft.entities.find((e) => e.type === "expandable_blockquote")!;
    expect(quote).toBeDefined();
    expect(ft.text.slice(quote.offset, quote.offset + quote.length)).toBe(`${"x".repeat(OUTPUT_SHOWN - 1)}…`);
    expect(validateEntities(ft)).toBeNull();
  });

  test("once the turn is finished the section collapses into one summary line with every tool in an expandable quote", () => {
    let tools: ToolActivity[] = [];
    tools = start(tools, "a", "Bash", "npm test", 0);
    tools = toolFinished(tools, { toolUseId: "a", isError: false, output: "ok" }, 2000);
    tools = start(tools, "b", "Bash", "npm run lint", 2000);
    tools = toolFinished(tools, { toolUseId: "b", isError: true, output: "1 error" }, 3000);
    tools = start(tools, "c", "Write", "notes.md", 3000, { added: 4, removed: 0 });
    tools = toolFinished(tools, { toolUseId: "c", isError: false, output: "" }, 3000);
    const ft = renderToolSection(tools, 5000, true);
    const [summary, ...rest] = ft.text.split("\n");
    expect(summary).toBe("⚙ 3 steps: Bash ×2, Write (1 failed)");
    expect(rest).toEqual(["⚙ Bash npm test (2 s)", "⚙ Bash npm run lint (1 s) ✗", "✎ Write notes.md +4 −0"]);
    const quote = ft.entities.find((e) => e.type === "expandable_blockquote")!;
    expect(quote.offset).toBe(summary!.length + 1);
    expect(quote.offset + quote.length).toBe(ft.text.length);
    expect(ft.text).not.toContain("1 error");
    expect(validateEntities(ft)).toBeNull();
  });

  test("secrets in tool commands and output are masked", () => {
    let tools = start([], "1", "Bash", "curl -H 'Authorization: ghp_abcdefghijklmnopqrstuvwxyz0123456789AB' x", 0);
    tools = toolFinished(tools, { toolUseId: "1", isError: false, output: "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" }, 10);
    const json = JSON.stringify(tools);
    expect(json).not.toContain("abcdefghijklmnopqrstuvwxyz0123456789");
  });

  test("a duplicate tool event is shown once, and stored JSON round-trips (garbage reads as no tools)", () => {
    let tools = start([], "1", "Read", "a.ts", 0);
    tools = start(tools, "1", "Read", "a.ts", 5);
    expect(tools).toHaveLength(1);
    expect(parseTools(JSON.stringify(tools))).toEqual(tools);
    expect(parseTools("not json")).toEqual([]);
    expect(parseTools('[{"id":1}]')).toEqual([]);
  });
});

describe("line changes of file edits", () => {
  test("Edit counts the lines that differ once the common ends are set aside", () => {
    expect(lineChange("Edit", { file_path: "a", old_string: "a\nb\nc", new_string: "a\nB\nB2\nc" })).toEqual({ added: 2, removed: 1 });
    expect(lineChange("Edit", { old_string: "", new_string: "x\ny\n" })).toEqual({ added: 2, removed: 0 });
  });

  test("MultiEdit sums its edits, Write counts its content, other tools have none", () => {
    expect(lineChange("MultiEdit", { edits: [{ old_string: "a", new_string: "b" }, { old_string: "c\nd", new_string: "" }] })).toEqual({ added: 1, removed: 3 });
    expect(lineChange("Write", { content: "1\n2\n3\n" })).toEqual({ added: 3, removed: 0 });
    expect(lineChange("Bash", { command: "ls" })).toEqual({});
  });
});
