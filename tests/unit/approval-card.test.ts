import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bold, concatFormatted, italic, plain, validateEntities, type FormattedText } from "../../src/relay/format";
import {
  bashPrefix,
  CARD_LIMIT,
  questionAnswer,
  renderApprovalCard,
  withDecision,
  type ApprovalCard,
  type ApprovalCardRequest,
} from "../../src/relay/telegram/approval-card";
import { mulberry32 } from "../helpers/prng";

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function render(toolName: string, input: Record<string, unknown>, extra: Partial<ApprovalCardRequest> = {}): ApprovalCard {
  const card = renderApprovalCard({ deviceName: "laptop", sessionLabel: "s:Ab3x", toolName, input, ...extra });
  check(card);
  return card;
}

/** What every card must satisfy, whatever the input. */
function check(card: ApprovalCard): void {
  expect(card.text.text.length).toBeLessThanOrEqual(CARD_LIMIT);
  expect(validateEntities(card.text)).toBeNull();
  expect(card.text.text).not.toMatch(CONTROL);
  if (card.document) {
    expect(card.document.filename.length).toBeGreaterThan(0);
    expect(card.document.filename).not.toMatch(/[\\/]/);
  }
  for (const o of card.options ?? []) {
    expect(o.length).toBeGreaterThan(0);
    expect(Array.from(o).length).toBeLessThanOrEqual(40);
  }
}

const entity = (card: ApprovalCard, type: string) => card.text.entities.find((e) => e.type === type);
const covered = (card: ApprovalCard, type: string) => {
  const e = entity(card, type);
  return e ? card.text.text.slice(e.offset, e.offset + e.length) : undefined;
};

describe("renderApprovalCard: exact cards", () => {
  test("Bash, the request from a real transcript", () => {
    const line = readFileSync(join(import.meta.dir, "../fixtures/claude/tool-allowed.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: { type: string; request?: Record<string, unknown> } })
      .find((l) => l.msg.type === "control_request" && l.msg.request?.subtype === "can_use_tool");
    const request = line!.msg.request!;
    const card = render(request.tool_name as string, request.input as Record<string, unknown>, {
      description: request.description as string,
    });
    expect(card).toEqual({
      kind: "permission",
      text: {
        text: "🔐 laptop · s:Ab3x\nBash wants to:\ntouch created-by-tool.txt && echo done-touch\nsay hi",
        entities: [
          { type: "bold", offset: 0, length: 18 },
          { type: "pre", offset: 34, length: 44, language: "bash" },
          { type: "italic", offset: 79, length: 6 },
        ],
      },
    });
  });

  test("Edit: path, diff preview, summary", () => {
    const card = render("Edit", { file_path: "/home/pi/p/notes.md", old_string: "hello\n", new_string: "hello\nworld\n" });
    expect(card).toEqual({
      kind: "permission",
      text: {
        text: "🔐 laptop · s:Ab3x\nEdit wants to:\n/home/pi/p/notes.md\n- hello\n+ hello\n+ world\n+2 −1",
        entities: [
          { type: "bold", offset: 0, length: 18 },
          { type: "code", offset: 34, length: 19 },
          { type: "pre", offset: 54, length: 23, language: "diff" },
        ],
      },
    });
  });

  test("WebSearch", () => {
    const card = render("WebSearch", { query: "bun test timeout" });
    expect(card.text.text).toBe("🔐 laptop · s:Ab3x\nWebSearch wants to:\nsearch the web for bun test timeout");
    expect(covered(card, "code")).toBe("bun test timeout");
    expect(card.document).toBeUndefined();
  });
});

describe("renderApprovalCard: tool shapes", () => {
  test("Bash: description from the input, background and timeout stated", () => {
    const card = render("Bash", { command: "npm test", description: "Run tests", timeout: 120000, run_in_background: true });
    expect(covered(card, "pre")).toBe("npm test");
    expect(entity(card, "pre")).toMatchObject({ language: "bash" });
    expect(covered(card, "italic")).toBe("Run tests");
    expect(card.text.text).toContain("runs in the background · timeout 120 s");
  });

  test("Bash: a huge command is cut and attached", () => {
    const command = `echo ${"x".repeat(20_000)}\nls`;
    const card = render("Bash", { command });
    expect(card.text.text).toContain("(full command attached)");
    expect(card.document).toEqual({ filename: "command.sh", content: command });
  });

  test("MultiEdit: edits separated by @@, summary counts every edit", () => {
    const card = render("MultiEdit", {
      file_path: "/a/b.ts",
      edits: [{ old_string: "a", new_string: "b" }, { old_string: "", new_string: "c\nd", replace_all: true }],
    });
    expect(covered(card, "code")).toBe("/a/b.ts");
    expect(covered(card, "pre")).toBe("- a\n+ b\n@@\n+ c\n+ d");
    expect(card.text.text).toEndWith("+3 −1 in 2 edits · edit 2 replaces every occurrence");
    expect(card.document).toBeUndefined();
  });

  test("Edit: a long diff is cut, the whole diff attached as <basename>.diff", () => {
    const old_string = Array.from({ length: 300 }, (_, i) => `old line ${i}`).join("\n");
    const new_string = Array.from({ length: 300 }, (_, i) => `new line ${i}`).join("\n");
    const card = render("Edit", { file_path: "/w/write-notes.md", old_string, new_string });
    expect(card.text.text).toContain("(full diff attached)");
    expect(card.text.text).toContain("+300 −300");
    expect(card.document?.filename).toBe("write-notes.md.diff");
    const doc = card.document!.content.split("\n");
    expect(doc.slice(0, 3)).toEqual(["--- /w/write-notes.md", "+++ /w/write-notes.md", "@@ @@"]);
    expect(doc).toContain("-old line 299");
    expect(doc).toContain("+new line 299");
  });

  test("Write: path, line count, content preview", () => {
    const card = render("Write", { file_path: "/home/pi/project/notes.md", content: "hello\nworld\n" }, { description: "notes.md" });
    expect(card.text.text).toBe(
      "🔐 laptop · s:Ab3x\nWrite wants to:\n/home/pi/project/notes.md\nwhole file · 2 lines · 12 bytes\nhello\nworld",
    );
    expect(covered(card, "code")).toBe("/home/pi/project/notes.md");
    expect(covered(card, "pre")).toBe("hello\nworld");
    expect(card.document).toBeUndefined();
  });

  test("Write: 30 KB of content → card within the limit plus the full content as a document", () => {
    const content = Array.from({ length: 1000 }, (_, i) => `line ${i} ${"abcdefghij".repeat(3)}`).join("\n");
    expect(content.length).toBeGreaterThan(30_000);
    const card = render("Write", { file_path: "C:\\work\\big.txt", content });
    expect(card.document).toEqual({ filename: "big.txt", content });
    expect(card.text.text).toContain("whole file · 1000 lines · 39.");
    expect(card.text.text).toContain("(full content attached)");
    const shown = covered(card, "pre")!.split("\n");
    expect(shown.length).toBeLessThanOrEqual(41);
    expect(shown[0]).toBe(`line 0 ${"abcdefghij".repeat(3)}`);
    expect(shown.at(-1)).toBe("…");
  });

  test("Write: one 30 KB line does not break the limit", () => {
    const content = "z".repeat(30_000);
    const card = render("Write", { file_path: "/x/min.js", content });
    expect(card.document).toEqual({ filename: "min.js", content });
    expect(covered(card, "pre")!.length).toBeLessThan(500);
  });

  test("NotebookEdit: path, cell, source", () => {
    const card = render("NotebookEdit", { notebook_path: "/n/a.ipynb", new_source: "print(1)", cell_id: "c1", edit_mode: "replace" });
    expect(card.text.text).toEndWith("NotebookEdit wants to:\n/n/a.ipynb\ncell c1 · mode replace\nprint(1)");
    expect(covered(card, "pre")).toBe("print(1)");
  });

  test("WebFetch: the URL as code, never a link", () => {
    const card = render("WebFetch", { url: "https://example.com/docs?a=1", prompt: "Summarise the API" });
    expect(covered(card, "code")).toBe("https://example.com/docs?a=1");
    expect(card.text.entities.some((e) => e.type === "text_link" || e.type === "url")).toBe(false);
    expect(card.text.text).toContain("prompt: Summarise the API");
  });

  test("Task / Agent: sub-agent type, description, prompt", () => {
    for (const tool of ["Task", "Agent"]) {
      const card = render(tool, { description: "Find tests", prompt: "Look for tests\nand report", subagent_type: "general-purpose" }, {
        description: "Find tests",
      });
      expect(covered(card, "code")).toBe("general-purpose");
      expect(covered(card, "expandable_blockquote")).toBe("Look for tests\nand report");
      expect(card.text.text.split("Find tests").length).toBe(2); // shown once
    }
  });

  test("ExitPlanMode: a plan card, Markdown lightly formatted", () => {
    const card = render("ExitPlanMode", { plan: "# Plan\n\n1. Do **this**\n2. Then `that`\n" });
    expect(card.kind).toBe("plan");
    expect(card.text.text).toBe("🔐 laptop · s:Ab3x\n📋 Claude has a plan\nPlan\n\n1. Do this\n2. Then that");
    expect(covered(card, "code")).toBe("that");
    expect(card.document).toBeUndefined();
  });

  test("ExitPlanMode: a long plan is cut, plan.md attached", () => {
    const plan = Array.from({ length: 400 }, (_, i) => `- step ${i}: do something useful`).join("\n");
    const card = render("ExitPlanMode", { plan });
    expect(card.kind).toBe("plan");
    expect(card.text.text).toContain("step 0");
    expect(card.text.text).toContain("(full plan attached)");
    expect(card.document).toEqual({ filename: "plan.md", content: plan });
  });

  const questions = [
    {
      question: "Which auth method?",
      header: "Auth",
      options: [
        { label: "OAuth", description: "via the provider" },
        { label: "API key with a rather long label that will not fit", description: "static" },
      ],
      multiSelect: false,
    },
    { question: "Colour?", header: "UI", options: [{ label: "red", description: "" }], multiSelect: true },
  ];

  test("AskUserQuestion: one question", () => {
    const card = render("AskUserQuestion", { questions: [questions[0]] });
    expect(card).toEqual({
      kind: "question",
      text: {
        text:
          "🔐 laptop · s:Ab3x\n❓ Auth\nWhich auth method?\n1. OAuth — via the provider\n" +
          "2. API key with a rather long label that will not fit — static",
        entities: [
          { type: "bold", offset: 0, length: 18 },
          { type: "bold", offset: 19, length: 6 },
        ],
      },
      options: ["OAuth", "API key with a rather long label that w…"],
    });
    expect(Array.from(card.options![1]!).length).toBe(40);
  });

  test("AskUserQuestion: several questions are all shown, buttons answer the first", () => {
    const card = render("AskUserQuestion", { questions });
    expect(card.kind).toBe("question");
    expect(card.options).toEqual(["OAuth", "API key with a rather long label that w…"]);
    expect(card.text.text).toContain("❓ 1/2 Auth");
    expect(card.text.text).toContain("❓ 2/2 UI\nColour?\n1. red");
    expect(card.text.text).toContain("Several answers allowed.");
    expect(card.text.text).toEndWith("The buttons answer question 1 only.");
  });

  test("AskUserQuestion: a malformed input falls back to a JSON permission card", () => {
    const card = render("AskUserQuestion", { questions: "nope" });
    expect(card.kind).toBe("permission");
    expect(entity(card, "pre")).toMatchObject({ language: "json" });
  });

  test("MCP tool: pretty-printed JSON with a 2-space indent", () => {
    const input = { repo: "a/b", labels: ["bug"] };
    const card = render("mcp__github__create_issue", input, { description: "Create an issue" });
    expect(card.kind).toBe("permission");
    expect(card.text.text).toContain("mcp__github__create_issue wants to:");
    expect(covered(card, "pre")).toBe(JSON.stringify(input, null, 2));
    expect(entity(card, "pre")).toMatchObject({ language: "json" });
    expect(covered(card, "italic")).toBe("Create an issue");
  });

  test("MCP tool: a huge input is cut, input.json attached", () => {
    const input = { rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `row ${i}` })) };
    const card = render("mcp__db__insert", input);
    expect(card.text.text).toContain("(full input attached)");
    expect(card.document?.filename).toBe("input.json");
    expect(JSON.parse(card.document!.content)).toEqual(input);
  });

  test("a known tool with an unexpected shape is shown as JSON", () => {
    const card = render("Bash", { cmd: ["ls"] });
    expect(entity(card, "pre")).toMatchObject({ language: "json" });
    expect(covered(card, "pre")).toContain('"cmd"');
  });

  test("prototype names are not tool renderers", () => {
    const card = render("constructor", { a: 1 });
    expect(entity(card, "pre")).toMatchObject({ language: "json" });
  });
});

describe("sanitising", () => {
  const ESC = "\u001b";

  test("ANSI escapes and control characters are stripped everywhere", () => {
    const card = render(
      "Bash",
      { command: `echo ${ESC}[31mred${ESC}[0m\u0007 \u0000done\r\nls\u202e`, description: `${ESC}]0;title\u0007list ${ESC}[1mfiles` },
      { deviceName: `lap${ESC}[2Jtop\u0008` },
    );
    expect(card.text.text).not.toContain(ESC);
    expect(card.text.text).toStartWith("🔐 laptop · s:Ab3x\n");
    expect(covered(card, "pre")).toBe("echo red done\nls");
    expect(covered(card, "italic")).toBe("list files");
    expect(card.text.text).toContain("⚠️ the command contains control characters (not shown)");
  });

  test("strings inside JSON inputs are sanitised too (the document keeps the original)", () => {
    const input = { title: `${ESC}[31mred${ESC}[0m`, body: "a\u202eb\u0085c" };
    const card = render("mcp__x__y", input);
    expect(covered(card, "pre")).toBe('{\n  "title": "red",\n  "body": "abc"\n}');
  });

  test("paths, diffs and questions are sanitised", () => {
    const edit = render("Edit", { file_path: `/a/${ESC}[1mb.ts`, old_string: `x${ESC}[0m`, new_string: "y\u0007" });
    expect(covered(edit, "code")).toBe("/a/b.ts");
    expect(covered(edit, "pre")).toBe("- x\n+ y");
    const q = render("AskUserQuestion", {
      questions: [{ question: `Q${ESC}[1m?`, header: "H\u0000", options: [{ label: `A${ESC}[0m\nB`, description: "d\u0007" }] }],
    });
    expect(q.text.text).toContain("❓ H\nQ?\n1. A B — d");
    expect(q.options).toEqual(["A B"]);
  });
});

describe("questionAnswer", () => {
  const input = {
    questions: [
      { question: "Which auth method?", header: "Auth", options: [{ label: "OAuth", description: "x" }, { label: "API key", description: "y" }], multiSelect: false },
      { question: "Colour?", header: "UI", options: [{ label: "red", description: "" }], multiSelect: false },
    ],
  };

  test("the input plus answers for the first question", () => {
    const before = structuredClone(input);
    expect(questionAnswer(input, 1)).toEqual({ ...input, answers: { "Which auth method?": "API key" } });
    expect(input).toEqual(before);
  });

  test("the original label is answered, not the shortened button text", () => {
    const label = "a label far longer than the forty characters a button can hold";
    const answer = questionAnswer({ questions: [{ question: "Q", options: [{ label }] }] }, 0);
    expect(answer.answers).toEqual({ Q: label });
  });

  test("an index that does not exist gives no answers", () => {
    for (const index of [-1, 2, 1.5, Number.NaN]) expect(questionAnswer(input, index).answers).toBeUndefined();
    expect(questionAnswer({}, 0)).toEqual({});
  });
});

describe("bashPrefix", () => {
  const cases: Array<[string, string]> = [
    ["npm test -- --watch", "npm test"],
    ["ls -la", "ls"],
    ["ls", "ls"],
    ["  git   push origin main ", "git push"],
    ["git push origin main", "git push"],
    ["rm -rf / ; echo", ""],
    ["curl x | sh", ""],
    ["echo $(whoami)", ""],
    ["make && make install", ""],
    ["false || rm -rf ~", ""],
    ["echo `id`", ""],
    ["echo hi > ~/.bashrc", ""],
    ["sleep 100 &", ""],
    ["ls\nrm -rf /", ""],
    ["FOO=1 npm test", ""],
    ["'rm' -rf /", ""],
    ["bash -c 'rm -rf /'", ""],
    ["sudo -i", ""],
    ["echo \"hi there\"", "echo"],
    ["", ""],
  ];
  for (const [command, prefix] of cases) {
    test(JSON.stringify(command), () => expect(bashPrefix(command)).toBe(prefix));
  }
});

describe("withDecision", () => {
  test("appends the line after a blank line, entities untouched", () => {
    const card = render("Bash", { command: "ls /tmp/x" });
    const out = withDecision(card.text, "✅ allowed by Ann · 12:04");
    expect(out.text).toBe(`${card.text.text}\n\n✅ allowed by Ann · 12:04`);
    expect(out.entities).toEqual(card.text.entities);
    expect(validateEntities(out)).toBeNull();
  });

  test("stays within 4096 for a maximal card and a long, messy line", () => {
    const card = render("Write", { file_path: "/a.txt", content: "y".repeat(100_000) });
    const out = withDecision(card.text, `❌ denied: ${"because\n".repeat(2000)}\u001b[31m`);
    expect(out.text.length).toBeLessThanOrEqual(4096);
    expect(out.text).toStartWith(card.text.text);
    expect(out.text).not.toMatch(CONTROL);
    expect(validateEntities(out)).toBeNull();
  });

  test("stays within 4096 even for text that was already at the limit", () => {
    const big: FormattedText = concatFormatted(bold("b".repeat(2001)), plain("\n"), italic("😀".repeat(1047)));
    expect(big.text.length).toBe(4096);
    const out = withDecision(big, "✅ allowed by Ann · 12:04");
    expect(out.text.length).toBeLessThanOrEqual(4096);
    expect(out.text).toEndWith("\n\n✅ allowed by Ann · 12:04");
    expect(validateEntities(out)).toBeNull();
  });
});

describe("fuzz", () => {
  const NASTY = [
    "", " ", "\n", "\n\n\n", "\t", "a", "word ", "😀", "👨‍👩‍👧", "\ud800", "\udc00x", "中文", "e\u0301", "\u001b[31m", "\u001b]0;t\u0007",
    "\u001b", "\u0000", "\u0007", "\u007f", "\u009b2J", "\u202e", "\r\n", "\r", "```", "*bold*", "<b>", "&&", "|", "$(x)",
    "https://example.com/a_b", "-", "@@", "…", "\\",
  ];
  const TOOLS = [
    "Bash", "Edit", "MultiEdit", "Write", "NotebookEdit", "WebFetch", "WebSearch", "ExitPlanMode", "AskUserQuestion", "Task",
    "Agent", "mcp__srv__tool", "Read", "", "\u001b[1mX", "constructor", "x".repeat(500),
  ];

  function fuzz(seed: number) {
    const rand = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const string = (): string => {
      const mode = rand();
      if (mode < 0.05) return pick(NASTY).repeat(1 + Math.floor(rand() * 20_000));
      if (mode < 0.1) return `${pick(NASTY)}\n`.repeat(1 + Math.floor(rand() * 2000));
      let s = "";
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) s += pick(NASTY);
      return s;
    };
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.4) return string();
      if (r < 0.5) return Math.floor(rand() * 1e6);
      if (r < 0.55) return rand() < 0.5;
      if (r < 0.6) return null;
      if (r < 0.8) return Array.from({ length: Math.floor(rand() * 6) }, () => value(depth + 1));
      return object(depth + 1);
    };
    const KEYS = [
      "command", "description", "timeout", "run_in_background", "file_path", "old_string", "new_string", "replace_all", "edits",
      "content", "notebook_path", "new_source", "cell_id", "edit_mode", "url", "prompt", "query", "plan", "questions", "question",
      "header", "options", "label", "multiSelect", "subagent_type", "allowed_domains", string(),
    ];
    const object = (depth: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      const n = Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) out[pick(KEYS)] = value(depth);
      return out;
    };
    const question = () => ({
      question: string(),
      header: string(),
      options: Array.from({ length: Math.floor(rand() * 5) }, () => (rand() < 0.9 ? { label: string(), description: string() } : string())),
      multiSelect: rand() < 0.5,
    });
    const toolName = pick(TOOLS);
    const input = object(0);
    if (toolName === "AskUserQuestion" && rand() < 0.7) input.questions = Array.from({ length: 1 + Math.floor(rand() * 4) }, question);
    if (toolName === "MultiEdit" && rand() < 0.7) {
      input.edits = Array.from({ length: Math.floor(rand() * 5) }, () => ({ old_string: string(), new_string: string(), replace_all: rand() < 0.3 }));
    }
    for (const key of ["command", "file_path", "content", "old_string", "new_string", "url", "query", "plan", "prompt", "notebook_path"]) {
      if (rand() < 0.3) input[key] = string();
    }
    const req: ApprovalCardRequest = {
      deviceName: string(),
      sessionLabel: string(),
      toolName,
      input,
      ...(rand() < 0.5 ? { description: string() } : {}),
    };
    return req;
  }

  test("random requests always give a valid card within the limits (seeded)", () => {
    // RA_FUZZ_SEEDS=100000 for a long run; the default keeps the suite quick.
    const seeds = Number(process.env.RA_FUZZ_SEEDS ?? 1000);
    for (let seed = 1; seed <= seeds; seed++) {
      const req = fuzz(seed);
      let card: ApprovalCard;
      try {
        card = renderApprovalCard(req);
        check(card);
        const decided = withDecision(card.text, "✅ allowed by Ann · 12:04");
        expect(decided.text.length).toBeLessThanOrEqual(4096);
        expect(validateEntities(decided)).toBeNull();
        expect(renderApprovalCard(req)).toEqual(card);
        if (card.kind === "question") expect(card.options!.length).toBeGreaterThan(0);
        if (req.toolName === "AskUserQuestion" && card.options) {
          const answered = questionAnswer(req.input, 0);
          expect(answered).toMatchObject(req.input);
        }
      } catch (error) {
        throw new Error(`seed ${seed}: ${(error as Error).message}`);
      }
    }
  });
});
