/**
 * One line of claude's stream-json stdout → what the runner does with it: runner events for the
 * agent, or a control message for the session (permission prompts, acknowledgements, cancels).
 * Pure. claude adds line types and fields in nearly every release, so anything unknown is
 * ignored; only a line that is not a JSON object becomes a `garbage` event.
 */
import type { RunnerEvent } from "./types";

export type ClaudeLine =
  | { type: "events"; events: RunnerEvent[] }
  | { type: "control_request"; requestId: string; subtype: string; request: Record<string, unknown> }
  | { type: "control_response"; requestId: string; ok: boolean; error?: string }
  | { type: "control_cancel"; requestId: string };

export interface ParseContext {
  /** We sent an interrupt during the turn this line belongs to. */
  interrupted: boolean;
}

/** Tool output and error texts are cut to this many characters; the phone shows only the start. */
export const OUTPUT_LIMIT = 2048;

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const events = (...list: RunnerEvent[]): ClaudeLine => ({ type: "events", events: list });

export function parseClaudeLine(line: string, context: ParseContext = { interrupted: false }): ClaudeLine {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return events({ kind: "garbage", line });
  }
  if (!isRecord(msg) || typeof msg.type !== "string") return events({ kind: "garbage", line });
  // Sub-agent traffic (Task tool) carries its parent's tool_use id; only the main thread is shown.
  const mainThread = msg.parent_tool_use_id === null || msg.parent_tool_use_id === undefined;
  switch (msg.type) {
    case "system":
      return msg.subtype === "init" ? parseInit(msg) : events();
    case "stream_event":
      return mainThread ? parseStreamEvent(msg) : events();
    case "assistant":
      return mainThread ? events(...toolUses(msg)) : events();
    case "user":
      return mainThread ? events(...toolResults(msg)) : events();
    case "result":
      return events(parseResult(msg, context));
    case "control_request":
      return parseControlRequest(msg);
    case "control_response":
      return parseControlResponse(msg);
    case "control_cancel_request": {
      const requestId = str(msg.request_id);
      return requestId ? { type: "control_cancel", requestId } : events();
    }
    default:
      return events();
  }
}

function parseInit(msg: Json): ClaudeLine {
  const sessionId = str(msg.session_id);
  if (!sessionId) return events();
  return events({ kind: "init", sessionId, model: str(msg.model), cwd: str(msg.cwd) });
}

function parseStreamEvent(msg: Json): ClaudeLine {
  const event = msg.event;
  if (!isRecord(event) || event.type !== "content_block_delta" || !isRecord(event.delta)) return events();
  const text = event.delta.type === "text_delta" ? str(event.delta.text) : undefined;
  return text ? events({ kind: "text", text }) : events();
}

function contentBlocks(msg: Json): Json[] {
  const content = isRecord(msg.message) ? msg.message.content : undefined;
  return Array.isArray(content) ? content.filter(isRecord) : [];
}

function toolUses(msg: Json): RunnerEvent[] {
  return contentBlocks(msg).flatMap((block): RunnerEvent[] => {
    const toolUseId = str(block.id);
    const name = str(block.name);
    if (block.type !== "tool_use" || !toolUseId || !name) return [];
    return [{ kind: "tool", toolUseId, name, input: isRecord(block.input) ? block.input : {} }];
  });
}

function toolResults(msg: Json): RunnerEvent[] {
  return contentBlocks(msg).flatMap((block): RunnerEvent[] => {
    const toolUseId = str(block.tool_use_id);
    if (block.type !== "tool_result" || !toolUseId) return [];
    const output = truncate(flatten(block.content));
    return [{ kind: "tool.result", toolUseId, isError: block.is_error === true, output }];
  });
}

/** Tool result content is a string or a list of blocks (text, image, …). */
function flatten(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter(isRecord)
    .map((block) => (block.type === "text" ? (str(block.text) ?? "") : `[${str(block.type) ?? "content"}]`))
    .join("\n");
}

export function truncate(text: string, limit = OUTPUT_LIMIT): string {
  if (text.length <= limit) return text;
  let cut = text.slice(0, limit);
  // Never leave half a surrogate pair at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}… [${text.length - cut.length} more characters]`;
}

function parseResult(msg: Json, context: ParseContext): RunnerEvent {
  const subtype = str(msg.subtype) ?? "";
  const terminalReason = str(msg.terminal_reason) ?? "";
  const isError = msg.is_error === true || subtype.startsWith("error");
  const stopped =
    terminalReason.startsWith("aborted") || (context.interrupted && subtype === "error_during_execution");
  const status: "done" | "stopped" | "failed" = stopped ? "stopped" : isError ? "failed" : "done";
  const base = {
    kind: "result" as const,
    status,
    durationMs: num(msg.duration_ms) ?? 0,
    costUsd: num(msg.total_cost_usd),
    turns: num(msg.num_turns),
    sessionId: str(msg.session_id),
  };
  if (status !== "failed") return base;
  return { ...base, error: truncate(resultError(msg, subtype)) };
}

/** `success` + is_error carries the error text in `result`; error subtypes carry `errors[]`. */
function resultError(msg: Json, subtype: string): string {
  const text = str(msg.result);
  if (text) return text;
  const errors = Array.isArray(msg.errors) ? msg.errors.filter((e): e is string => typeof e === "string") : [];
  if (errors.length > 0) return errors.join("; ");
  return subtype || "claude reported an error";
}

function parseControlRequest(msg: Json): ClaudeLine {
  const requestId = str(msg.request_id);
  const request = isRecord(msg.request) ? msg.request : {};
  if (!requestId) return events();
  return { type: "control_request", requestId, subtype: str(request.subtype) ?? "", request };
}

function parseControlResponse(msg: Json): ClaudeLine {
  const response = isRecord(msg.response) ? msg.response : {};
  const requestId = str(response.request_id);
  if (!requestId) return events();
  const ok = response.subtype === "success";
  if (ok) return { type: "control_response", requestId, ok };
  return { type: "control_response", requestId, ok, error: str(response.error) };
}
