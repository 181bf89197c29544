// What an approval card in the browser is given: file changes as before/after (and a line diff of
// them), plans and questions with their options, secrets masked everywhere.
import { describe, expect, test } from "bun:test";
import { approvalView } from "../../src/relay/web/approval-view";
import { lineDiff } from "../../src/relay/web/client/diff";
import type { Approval } from "../../src/relay/store/types";

const KEY = `sk-ant-api03-${"A1b2C3d4".repeat(12)}`;
const approval = (toolName: string, input: unknown): Approval => ({
  id: "ap1", requestId: "r1", sessionId: "s1", turnId: "t1", deviceId: "d1", chatId: 1, toolName, inputDigest: "x", input: JSON.stringify(input),
  description: null, status: "pending", awaitingReason: false, messageId: null, createdAt: 1, decidedAt: null,
});

describe("approval cards for the browser", () => {
  test("Edit, MultiEdit and Write are file changes, secrets masked on both sides", () => {
    const edit = approvalView(approval("Edit", { file_path: "/w/a.ts", old_string: "const a = 1;", new_string: `const key = "${KEY}";` }));
    expect(edit.kind).toBe("edit");
    expect(edit.edits).toHaveLength(1);
    expect(edit.edits![0]!.before).toBe("const a = 1;");
    expect(edit.edits![0]!.after).not.toContain("A1b2C3d4A1b2C3d4");
    expect(edit.input).not.toContain("A1b2C3d4A1b2C3d4");
    expect(edit.always?.narrow).toBe("Edit in /w");
    const multi = approvalView(approval("MultiEdit", { file_path: "/w/a.ts", edits: [{ old_string: "a", new_string: "b" }, { old_string: "c", new_string: "d" }] }));
    expect(multi.edits?.map((e) => [e.before, e.after])).toEqual([["a", "b"], ["c", "d"]]);
    expect(approvalView(approval("Write", { file_path: "/w/new.txt", content: "hi\n" })).edits).toEqual([{ path: "/w/new.txt", before: "", after: "hi\n" }]);
    expect(approvalView(approval("Bash", { command: "ls" })).kind).toBe("tool");
  });

  test("a plan and a question", () => {
    expect(approvalView(approval("ExitPlanMode", { plan: "1. a\n2. b" }))).toMatchObject({ kind: "plan", plan: "1. a\n2. b" });
    const q = approvalView(approval("AskUserQuestion", { questions: [{ question: "Which?", options: ["x", { label: "y", description: "why" }] }, { question: "And?", options: ["z"] }] }));
    expect(q.kind).toBe("question");
    expect(q.question).toEqual({ question: "Which?", options: [{ label: "x" }, { label: "y", description: "why" }], more: 1 });
    expect(q.always).toBeUndefined();
  });

  test("a line diff keeps common lines and marks the changed ones", () => {
    expect(lineDiff("a\nb\nc", "a\nB\nc\nd")).toEqual([
      { op: " ", text: "a" },
      { op: "-", text: "b" },
      { op: "+", text: "B" },
      { op: " ", text: "c" },
      { op: "+", text: "d" },
    ]);
    expect(lineDiff("", "new\nfile")).toEqual([{ op: "+", text: "new" }, { op: "+", text: "file" }]);
    expect(lineDiff("", "one line\n")).toEqual([{ op: "+", text: "one line" }]);
    expect(lineDiff("x\n", "x\ny\n")).toEqual([{ op: " ", text: "x" }, { op: "+", text: "y" }]);
  });
});
