/**
 * A scripted fake of the Anthropic Messages API, for running the real `claude` CLI in tests.
 *
 * Tests enqueue replies; each main-model request (`POST /v1/messages`, streaming, with tools)
 * takes the next one, or the default reply (`echo: <last user text>`) when the queue is empty.
 * Side requests the CLI makes on its own (title generation on a small model, token counting,
 * non-streaming calls) are answered with short canned replies and never consume the queue.
 * Every request is recorded with its parsed body; waits are event driven, never polled.
 */

export type ScriptBlock =
  /** A text block, split into deltas of `chunkSize` characters, each after `delayMs`. */
  | { text: string; chunkSize?: number; delayMs?: number }
  /** A tool call; the input is streamed as `input_json_delta` pieces. */
  | { toolUse: { name: string; input: Record<string, unknown>; id?: string } };

export interface ScriptedReplyOptions {
  blocks?: ScriptBlock[];
  /** After the blocks are streamed, hold the stream open until `release()` or the client aborts. */
  stall?: boolean;
  /** Answer with this HTTP error instead of a stream. */
  httpError?: { status: number; body?: unknown };
  /** Output tokens the reply reports in its usage (default: one per streamed piece), e.g. to make a turn cost more. */
  outputTokens?: number;
}

/** A reply: a list of blocks, or blocks with options. */
export type ScriptedReply = ScriptBlock[] | ScriptedReplyOptions;

export interface RecordedRequest {
  /** 1-based, over all recorded requests. */
  seq: number;
  method: string;
  path: string;
  /** `main` consumed a scripted (or default) reply; `side` got a canned answer. */
  kind: "main" | "side";
  headers: Record<string, string>;
  /** Parsed JSON body (undefined when there was none). */
  body: MessagesRequest | undefined;
}

/** The parts of a Messages API request body the tests look at. */
export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  system?: unknown;
  tools?: unknown[];
  messages?: ApiMessage[];
  [key: string]: unknown;
}

export interface ApiMessage {
  role: string;
  content: string | ContentBlock[];
}

export type ContentBlock = { type: string; [key: string]: unknown };

export interface FakeModelApi {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Queues replies for the next main-model requests, in order. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Scripted replies not yet taken. */
  readonly queued: number;
  /** Main-model requests received so far (the ones that consumed replies). */
  readonly requests: readonly RecordedRequest[];
  /** Every request, including side requests and HEAD probes. */
  readonly allRequests: readonly RecordedRequest[];
  /** Resolves with the n-th (1-based) main-model request once it has arrived. */
  waitForRequest(n: number): Promise<RecordedRequest>;
  /** Resolves once a main-model stream is being held by `stall` (the n-th stall, 1-based). */
  waitForStall(n?: number): Promise<void>;
  /** Lets every currently stalled stream finish normally. */
  release(): void;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface FakeModelApiOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** The reply used when the queue is empty; defaults to echoing the last user text. */
  defaultReply?: (request: MessagesRequest) => ScriptedReply;
  /** Called for every request (for the dev tool's log). */
  onRequest?: (request: RecordedRequest) => void;
}

const REMINDER = "<system-reminder>";

/**
 * The user's latest typed text: the last text block of the last user message that has one,
 * skipping the `<system-reminder>` blocks the CLI injects. Tool-result-only messages are skipped.
 */
export function lastUserText(request: MessagesRequest | undefined): string | undefined {
  const messages = request?.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!message || message.role !== "user") continue;
    const texts = textsOf(message).filter((t) => !t.trimStart().startsWith(REMINDER));
    if (texts.length > 0) return texts[texts.length - 1];
  }
  return undefined;
}

/** All text blocks of a message (string content counts as one block). */
export function textsOf(message: ApiMessage): string[] {
  if (typeof message.content === "string") return [message.content];
  return message.content.flatMap((b) => (b.type === "text" && typeof b.text === "string" ? [b.text] : []));
}

/** Every text the request carries (the whole conversation claude sent), one per line. */
export function conversationText(request: RecordedRequest): string {
  return (request.body?.messages ?? []).flatMap(textsOf).join("\n");
}

/** Every tool_result block anywhere in the request's messages. */
export function toolResultsOf(request: MessagesRequest | undefined): ContentBlock[] {
  return (request?.messages ?? []).flatMap((m) =>
    typeof m.content === "string" ? [] : m.content.filter((b) => b.type === "tool_result"),
  );
}

export const echoReply = (request: MessagesRequest): ScriptedReply => [{ text: `echo: ${lastUserText(request) ?? ""}` }];

interface Waiter {
  n: number;
  resolve: () => void;
}

export function startFakeModelApi(options: FakeModelApiOptions = {}): FakeModelApi {
  const queue: ScriptedReply[] = [];
  const all: RecordedRequest[] = [];
  const main: RecordedRequest[] = [];
  const requestWaiters: Waiter[] = [];
  const stallWaiters: Waiter[] = [];
  const stalled = new Set<() => void>();
  let stallCount = 0;
  let messageCount = 0;
  let toolCount = 0;
  const defaultReply = options.defaultReply ?? echoReply;

  const settle = (waiters: Waiter[], count: number) => {
    for (const w of [...waiters]) {
      if (w.n > count) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };

  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: "127.0.0.1",
    // A stalled stream sends nothing for as long as the test wants.
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const raw = req.method === "POST" ? await req.text() : "";
      let body: MessagesRequest | undefined;
      try {
        body = raw ? (JSON.parse(raw) as MessagesRequest) : undefined;
      } catch {
        body = undefined;
      }
      const isMessages = req.method === "POST" && url.pathname === "/v1/messages";
      const kind = isMessages && isMainRequest(body) ? "main" : "side";
      const record: RecordedRequest = {
        seq: all.length + 1,
        method: req.method,
        path: url.pathname + url.search,
        kind,
        headers: Object.fromEntries(req.headers.entries()),
        body,
      };
      all.push(record);
      options.onRequest?.(record);
      if (kind === "main") {
        main.push(record);
        settle(requestWaiters, main.length);
        const reply = normalize(queue.shift() ?? defaultReply(body ?? {}));
        return respond(reply, body ?? {}, req.signal);
      }
      if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
        return Response.json({ input_tokens: 10 });
      }
      if (isMessages) {
        // Side jobs: titles want JSON with a "title"; anything else is content with a short text.
        const reply = normalize([{ text: '{"title":"Fake session"}' }]);
        return body?.stream ? respond(reply, body, req.signal) : Response.json(wholeMessage(reply, body ?? {}));
      }
      return new Response(null, { status: req.method === "HEAD" ? 200 : 404 });
    },
  });

  function respond(reply: ScriptedReplyOptions, body: MessagesRequest, signal: AbortSignal): Response {
    if (reply.httpError) {
      const { status, body: errorBody } = reply.httpError;
      const payload = errorBody ?? { type: "error", error: { type: "api_error", message: `fake error ${status}` } };
      return Response.json(payload, { status, headers: { "request-id": "req_fake" } });
    }
    const encoder = new TextEncoder();
    const id = `msg_fake_${++messageCount}`;
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        let open = true;
        const aborted = new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        aborted.then(() => {
          open = false;
        });
        const send = (event: string, data: Record<string, unknown>) => {
          if (!open) return;
          try {
            controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`));
          } catch {
            open = false;
          }
        };
        const pause = (ms: number) => Promise.race([Bun.sleep(ms), aborted]);
        const model = body.model ?? "claude-test";
        send("message_start", {
          message: {
            id,
            type: "message",
            role: "assistant",
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
          },
        });
        const blocks = reply.blocks ?? [];
        let outputTokens = 1;
        for (const [index, block] of blocks.entries()) {
          if ("text" in block) {
            send("content_block_start", { index, content_block: { type: "text", text: "" } });
            for (const piece of chunk(block.text, block.chunkSize ?? 8)) {
              if (block.delayMs) await pause(block.delayMs);
              if (!open) break;
              send("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
              outputTokens++;
            }
          } else {
            const toolId = block.toolUse.id ?? `toolu_fake_${++toolCount}`;
            send("content_block_start", {
              index,
              content_block: { type: "tool_use", id: toolId, name: block.toolUse.name, input: {} },
            });
            send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: "" } });
            for (const piece of chunk(JSON.stringify(block.toolUse.input), 16)) {
              send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
            }
            outputTokens += 5;
          }
          if (reply.stall && index === blocks.length - 1) await hold(aborted);
          send("content_block_stop", { index });
        }
        if (reply.stall && blocks.length === 0) await hold(aborted);
        const toolUsed = blocks.some((b) => "toolUse" in b);
        send("message_delta", {
          delta: { stop_reason: toolUsed ? "tool_use" : "end_turn", stop_sequence: null },
          usage: { output_tokens: reply.outputTokens ?? outputTokens },
        });
        send("message_stop", {});
        if (!open) return;
        try {
          controller.close();
        } catch {
          // the client went away
        }
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": "req_fake" },
    });
  }

  async function hold(aborted: Promise<void>): Promise<void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    stalled.add(release);
    stallCount++;
    settle(stallWaiters, stallCount);
    await Promise.race([released, aborted]);
    stalled.delete(release);
  }

  const stop = async () => {
    for (const release of stalled) release();
    await server.stop(true);
  };

  return {
    url: `http://127.0.0.1:${server.port}`,
    enqueue: (...replies) => void queue.push(...replies),
    get queued() {
      return queue.length;
    },
    requests: main,
    allRequests: all,
    waitForRequest(n) {
      return new Promise<RecordedRequest>((resolve) => {
        const done = () => resolve(main[n - 1] as RecordedRequest);
        if (main.length >= n) return done();
        requestWaiters.push({ n, resolve: done });
      });
    },
    waitForStall(n = stallCount + 1) {
      return new Promise<void>((resolve) => {
        if (stallCount >= n) return resolve();
        stallWaiters.push({ n, resolve });
      });
    },
    release() {
      for (const release of stalled) release();
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * The CLI's own conversation goes to the main model with tools and `stream: true`; side jobs
 * (titles, quota probes) use a small model without tools.
 */
function isMainRequest(body: MessagesRequest | undefined): boolean {
  return body?.stream === true && Array.isArray(body.tools) && body.tools.length > 0;
}

function normalize(reply: ScriptedReply): ScriptedReplyOptions {
  return Array.isArray(reply) ? { blocks: reply } : reply;
}

/** Splits by characters (never inside a surrogate pair). */
function chunk(text: string, size: number): string[] {
  const step = Math.max(1, Math.floor(size));
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += step) pieces.push(chars.slice(i, i + step).join(""));
  return pieces.length > 0 ? pieces : [""];
}

/** A non-streaming Messages API answer for the same blocks. */
function wholeMessage(reply: ScriptedReplyOptions, body: MessagesRequest) {
  const content = (reply.blocks ?? []).map((b) =>
    "text" in b
      ? { type: "text", text: b.text }
      : { type: "tool_use", id: b.toolUse.id ?? "toolu_fake_side", name: b.toolUse.name, input: b.toolUse.input },
  );
  return {
    id: "msg_fake_side",
    type: "message",
    role: "assistant",
    model: body.model ?? "claude-test",
    content,
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 1 },
  };
}
