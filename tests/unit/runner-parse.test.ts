// Parsing claude's stdout: the real 2.1.197 transcripts in tests/fixtures/claude/, line by line,
// plus the edge cases the transcripts do not show.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { OUTPUT_LIMIT, parseClaudeLine, type ClaudeLine } from "../../src/runner/claude-parse";
import type { RunnerEvent } from "../../src/runner/types";

interface TranscriptLine {
  dir: "stdin" | "stdout" | "exit";
  msg: Record<string, unknown>;
}

async function loadTranscript(name: string): Promise<TranscriptLine[]> {
  const text = await Bun.file(join(import.meta.dir, "..", "fixtures", "claude", `${name}.jsonl`)).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TranscriptLine);
}

/** Parses every stdout line the way the session does: "interrupted" once we wrote an interrupt. */
async function parseTranscript(name: string): Promise<ClaudeLine[]> {
  let interrupted = false;
  const parsed: ClaudeLine[] = [];
  for (const { dir, msg } of await loadTranscript(name)) {
    if (dir === "stdin" && msg.type === "control_request") interrupted = true;
    if (dir === "stdout") parsed.push(parseClaudeLine(JSON.stringify(msg), { interrupted }));
  }
  return parsed;
}

const eventsOf = (lines: ClaudeLine[]): RunnerEvent[] => lines.flatMap((l) => (l.type === "events" ? l.events : []));
const controlsOf = (lines: ClaudeLine[]) => lines.filter((l) => l.type !== "events");
const texts = (...parts: string[]): RunnerEvent[] => parts.map((text) => ({ kind: "text", text }));
const helloFromTheFakeApi = texts("Hello", " from", " the", " fake", " API.");
const touchInput = { command: "touch created-by-tool.txt && echo done-touch", description: "say hi" };

describe("parsing the real transcripts", () => {
  test("text turn: init, one text event per delta, done with cost and turns", async () => {
    const events = eventsOf(await parseTranscript("text-turn"));
    const words = Array.from({ length: 60 }, (_, i) => `word${i} `);
    expect(events).toEqual([
      { kind: "init", sessionId: "10d56399-3902-4545-beea-a94a3b8d1a6a", model: "claude-opus-4-8[1m]", cwd: "/home/user/project" },
      ...texts(...words),
      { kind: "result", status: "done", durationMs: 6159, costUsd: 0.00155, turns: 1, sessionId: "10d56399-3902-4545-beea-a94a3b8d1a6a" },
    ]);
  });

  test("allowed tool: tool with full input, the permission question, the tool's output", async () => {
    const lines = await parseTranscript("tool-allowed");
    const sessionId = "d491bf7d-9446-46f9-bc4e-b8f1a04c602e";
    expect(eventsOf(lines)).toEqual([
      { kind: "init", sessionId, model: "claude-opus-4-8[1m]", cwd: "/home/user/project" },
      ...texts("I will run echo."),
      { kind: "tool", toolUseId: "toolu_3", name: "Bash", input: touchInput },
      { kind: "tool.result", toolUseId: "toolu_3", isError: false, output: "done-touch" },
      ...helloFromTheFakeApi,
      { kind: "result", status: "done", durationMs: 269, costUsd: 0.0007250000000000001, turns: 2, sessionId },
    ]);
    expect(controlsOf(lines)).toEqual([
      {
        type: "control_request",
        requestId: "1c9e9d76-6906-4a93-8292-46feeb4a198a",
        subtype: "can_use_tool",
        request: expect.objectContaining({ tool_name: "Bash", input: touchInput, tool_use_id: "toolu_3", description: "say hi" }),
      },
    ]);
  });

  test("denied tool: the denial comes back as an error tool.result and the turn still ends done", async () => {
    const lines = await parseTranscript("tool-denied");
    const events = eventsOf(lines);
    expect(events.filter((e) => e.kind === "tool" || e.kind === "tool.result")).toEqual([
      { kind: "tool", toolUseId: "toolu_5", name: "Bash", input: touchInput },
      { kind: "tool.result", toolUseId: "toolu_5", isError: true, output: "Denied from the phone" },
    ]);
    expect(events.at(-1)).toMatchObject({ kind: "result", status: "done", turns: 2 });
    expect(controlsOf(lines).map((l) => l.type === "control_request" && l.requestId)).toEqual(["8f421786-3738-43f8-9638-7ed417120e4b"]);
  });

  test("interrupt: the partial text streamed, the acknowledgement, a stopped result", async () => {
    const lines = await parseTranscript("interrupt");
    const sessionId = "4346e495-454c-4599-9564-bdfda4605ec0";
    expect(eventsOf(lines)).toEqual([
      { kind: "init", sessionId, model: "claude-opus-4-8[1m]", cwd: "/home/user/project" },
      ...texts("word0 ", "word1 ", "word2 ", "word3 ", "word4 "),
      { kind: "result", status: "stopped", durationMs: 577, costUsd: 0, turns: 2, sessionId },
    ]);
    expect(controlsOf(lines)).toEqual([{ type: "control_response", requestId: "req_interrupt_1", ok: true }]);
  });
});

const result = (fields: Record<string, unknown>, interrupted = false) =>
  parseClaudeLine(JSON.stringify({ type: "result", duration_ms: 10, num_turns: 1, session_id: "s", total_cost_usd: 0.5, ...fields }), {
    interrupted,
  });

describe("parsing results", () => {
  test("success with is_error is a failure carrying the result text (API errors end this way)", () => {
    expect(result({ subtype: "success", is_error: true, result: "API Error: 529 overloaded", terminal_reason: "api_error" })).toEqual({
      type: "events",
      events: [{ kind: "result", status: "failed", durationMs: 10, costUsd: 0.5, turns: 1, sessionId: "s", error: "API Error: 529 overloaded" }],
    });
  });

  test("error_during_execution is stopped after our interrupt and failed without one", () => {
    const line = { subtype: "error_during_execution", is_error: true, errors: ["[ede_diagnostic] x"] };
    expect(result(line, true)).toMatchObject({ events: [{ status: "stopped" }] });
    expect(result(line, false)).toMatchObject({ events: [{ status: "failed", error: "[ede_diagnostic] x" }] });
  });

  test("terminal_reason aborted_* is stopped even without our interrupt (e.g. SIGINT)", () => {
    expect(result({ subtype: "error_during_execution", is_error: true, terminal_reason: "aborted_tools" })).toMatchObject({
      events: [{ status: "stopped" }],
    });
  });

  test("an error subtype without is_error (2.0.77) and without texts still fails, naming the subtype", () => {
    expect(result({ subtype: "error_max_turns", is_error: false })).toMatchObject({ events: [{ status: "failed", error: "error_max_turns" }] });
  });

  test("missing numbers do not break the event", () => {
    expect(parseClaudeLine('{"type":"result","subtype":"success","is_error":false}')).toEqual({
      type: "events",
      events: [{ kind: "result", status: "done", durationMs: 0, costUsd: undefined, turns: undefined, sessionId: undefined }],
    });
  });
});

describe("parsing other lines", () => {
  test("non-JSON and non-object lines are garbage", () => {
    for (const line of ["Error: something broke", "{not json", "42", "[1,2]", '"text"', '{"no_type":1}']) {
      expect(parseClaudeLine(line)).toEqual({ type: "events", events: [{ kind: "garbage", line }] });
    }
  });

  test("unknown types and subtypes are ignored", () => {
    for (const line of [
      '{"type":"keep_alive"}',
      '{"type":"rate_limit_event","info":{}}',
      '{"type":"system","subtype":"status","status":"requesting"}',
      '{"type":"system","subtype":"api_retry","attempt":1}',
      '{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}}',
      '{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}}',
      '{"type":"assistant","message":{"content":[{"type":"text","text":"already streamed"}]}}',
    ]) {
      expect(parseClaudeLine(line)).toEqual({ type: "events", events: [] });
    }
  });

  test("sub-agent lines (parent_tool_use_id set) are not mixed into the main answer", () => {
    const delta = { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "sub" } };
    expect(parseClaudeLine(JSON.stringify({ type: "stream_event", event: delta, parent_tool_use_id: "toolu_1" }))).toEqual({ type: "events", events: [] });
    expect(parseClaudeLine(JSON.stringify({ type: "stream_event", event: delta, parent_tool_use_id: null }))).toEqual({
      type: "events",
      events: [{ kind: "text", text: "sub" }],
    });
  });

  test("tool results: block content is flattened and long output truncated", () => {
    const long = "y".repeat(OUTPUT_LIMIT + 500);
    const line = JSON.stringify({
      type: "user",
      parent_tool_use_id: null,
      message: {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "line one" }, { type: "image", source: {} }, { type: "text", text: "line two" }] },
          { type: "tool_result", tool_use_id: "t2", content: long, is_error: true },
          { type: "text", text: "[Request interrupted by user]" },
        ],
      },
    });
    const parsed = parseClaudeLine(line);
    expect(parsed).toEqual({
      type: "events",
      events: [
        { kind: "tool.result", toolUseId: "t1", isError: false, output: "line one\n[image]\nline two" },
        { kind: "tool.result", toolUseId: "t2", isError: true, output: `${"y".repeat(OUTPUT_LIMIT)}… [500 more characters]` },
      ],
    });
  });

  test("truncation never splits a surrogate pair", () => {
    const content = `${"a".repeat(OUTPUT_LIMIT - 1)}🚀tail`;
    const line = JSON.stringify({ type: "user", message: { content: [{ type: "tool_result", tool_use_id: "t", content }] } });
    const parsed = parseClaudeLine(line);
    const output = parsed.type === "events" && parsed.events[0]?.kind === "tool.result" ? parsed.events[0].output : "";
    expect(output.startsWith(`${"a".repeat(OUTPUT_LIMIT - 1)}…`)).toBe(true);
    expect(output).not.toContain("\uFFFD");
  });

  test("control lines: requests, error responses and cancels", () => {
    expect(parseClaudeLine('{"type":"control_request","request_id":"r1","request":{"subtype":"hook_callback","x":1}}')).toEqual({
      type: "control_request",
      requestId: "r1",
      subtype: "hook_callback",
      request: { subtype: "hook_callback", x: 1 },
    });
    expect(parseClaudeLine('{"type":"control_response","response":{"subtype":"error","request_id":"r2","error":"nope"}}')).toEqual({
      type: "control_response",
      requestId: "r2",
      ok: false,
      error: "nope",
    });
    expect(parseClaudeLine('{"type":"control_cancel_request","request_id":"r3"}')).toEqual({ type: "control_cancel", requestId: "r3" });
  });
});
