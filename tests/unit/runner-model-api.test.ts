// The fake Messages API itself, over plain fetch: the SSE it streams, side requests, stalls,
// HTTP errors, recording and waits. (The runner tests rely on all of these.)
import { describe, expect, test } from "bun:test";
import { lastUserText, startFakeModelApi, type MessagesRequest } from "../fakes/model-api";

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

async function readSse(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      return { event: eventLine!.replace("event: ", ""), data: JSON.parse(dataLine!.replace("data: ", "")) };
    });
}

const mainBody = (text: string, extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: "claude-opus-4-8",
  stream: true,
  tools: [{ name: "Bash" }],
  messages: [{ role: "user", content: [{ type: "text", text: "<system-reminder>ignore me</system-reminder>" }, { type: "text", text }] }],
  ...extra,
});

const post = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${url}/v1/messages?beta=true`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, ...init });

describe("fake model API", () => {
  test("streams scripted text and tool_use blocks as Messages API SSE", async () => {
    await using api = startFakeModelApi();
    api.enqueue([{ text: "Hello there", chunkSize: 5 }, { toolUse: { name: "Bash", input: { command: "ls" }, id: "toolu_x" } }]);
    const response = await post(api.url, mainBody("hi"));
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = await readSse(response);
    for (const e of events) expect(e.data.type).toBe(e.event);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events.slice(2, 5).map((e) => (e.data.delta as { text: string }).text)).toEqual(["Hello", " ther", "e"]);
    expect(events[6]?.data).toEqual({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_x", name: "Bash", input: {} } });
    const json = events.slice(7, 9).map((e) => (e.data.delta as { partial_json: string }).partial_json).join("");
    expect(JSON.parse(json)).toEqual({ command: "ls" });
    expect(events[10]?.data).toMatchObject({ delta: { stop_reason: "tool_use" }, usage: { output_tokens: expect.any(Number) } });
  });

  test("with an empty queue it echoes the last user text, skipping system reminders", async () => {
    await using api = startFakeModelApi();
    const events = await readSse(await post(api.url, mainBody("ping")));
    const text = events.filter((e) => e.event === "content_block_delta").map((e) => (e.data.delta as { text: string }).text).join("");
    expect(text).toBe("echo: ping");
    expect(events.find((e) => e.event === "message_delta")?.data).toMatchObject({ delta: { stop_reason: "end_turn" } });
  });

  test("side requests get canned answers and never take a scripted reply", async () => {
    await using api = startFakeModelApi();
    api.enqueue([{ text: "scripted" }]);
    expect((await fetch(api.url, { method: "HEAD" })).status).toBe(200);
    const count = await fetch(`${api.url}/v1/messages/count_tokens`, { method: "POST", body: "{}" });
    expect(await count.json()).toEqual({ input_tokens: 10 });
    const title = await readSse(await post(api.url, mainBody("title please", { tools: [] })));
    expect(title.map((e) => e.event)).toContain("message_stop");
    const whole = await post(api.url, { model: "claude-haiku", messages: [{ role: "user", content: "quota" }] });
    expect(await whole.json()).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text" }] });

    expect(api.requests).toHaveLength(0);
    expect(api.queued).toBe(1);
    expect(api.allRequests.map((r) => [r.method, r.kind])).toEqual([
      ["HEAD", "side"],
      ["POST", "side"],
      ["POST", "side"],
      ["POST", "side"],
    ]);
    const main = await readSse(await post(api.url, mainBody("now the real one")));
    expect(JSON.stringify(main)).toContain("scripted");
    expect(api.queued).toBe(0);
  });

  test("an httpError reply answers with that status and body", async () => {
    await using api = startFakeModelApi();
    api.enqueue({ httpError: { status: 429, body: { type: "error", error: { type: "rate_limit_error", message: "slow down" } } } });
    const response = await post(api.url, mainBody("x"));
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "slow down" } });
  });

  test("a stalled stream holds until release(), then finishes normally", async () => {
    await using api = startFakeModelApi();
    api.enqueue({ blocks: [{ text: "partial" }], stall: true });
    const responding = post(api.url, mainBody("x"));
    await api.waitForStall();
    const response = await responding;
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("message_start");
    api.release();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain("event: message_stop");
  });

  test("a stalled stream ends when the client aborts, and stop() does not hang on it", async () => {
    const api = startFakeModelApi();
    api.enqueue({ blocks: [{ text: "partial" }], stall: true }, { stall: true });
    const abort = new AbortController();
    const response = await post(api.url, mainBody("x"), { signal: abort.signal });
    await api.waitForStall(1);
    abort.abort();
    await response.text().catch(() => undefined);
    const second = post(api.url, mainBody("y")).catch(() => undefined);
    await api.waitForStall(2);
    await api.stop();
    await second;
    expect(api.requests).toHaveLength(2);
  });

  test("waitForRequest resolves when the n-th main request arrives, with its parsed body", async () => {
    await using api = startFakeModelApi();
    const waiting = api.waitForRequest(2);
    await (await post(api.url, mainBody("one"))).text();
    await (await post(api.url, mainBody("two"))).text();
    const second = await waiting;
    expect(second.seq).toBe(2);
    expect(second.path).toBe("/v1/messages?beta=true");
    expect(lastUserText(second.body)).toBe("two");
    expect((await api.waitForRequest(1)).body?.model).toBe("claude-opus-4-8");
  });
});

describe("lastUserText", () => {
  test("takes the last user message with text, skipping tool results and reminders", () => {
    expect(
      lastUserText({
        messages: [
          { role: "user", content: "first" },
          { role: "assistant", content: [{ type: "text", text: "answer" }] },
          { role: "user", content: [{ type: "text", text: "<system-reminder>x</system-reminder>" }, { type: "text", text: "second" }] },
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Bash", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "out" }] },
          { role: "system", content: "not a user" },
        ],
      }),
    ).toBe("second");
    expect(lastUserText(undefined)).toBeUndefined();
  });
});
