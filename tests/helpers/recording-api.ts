import { Api } from "grammy";

export type RecordedCall = { method: string; payload: Record<string, any>; at: number };

/**
 * A grammY Api whose calls never leave the process: each is recorded (with the virtual time `now()`)
 * and answered by `respond`, which may throw a Telegram error body to simulate 429s and the like.
 */
export function recordingApi(now: () => number, respond: (method: string, payload: Record<string, any>) => unknown = () => undefined) {
  const api = new Api("123456:TEST");
  const calls: RecordedCall[] = [];
  let nextId = 1;
  api.config.use(async (_prev, method, payload) => {
    const p = payload as Record<string, any>;
    calls.push({ method, payload: p, at: now() });
    try {
      const result = respond(method, p) ?? defaultResult(method, p, nextId);
      if (method === "sendMessage" || method === "sendDocument") nextId++;
      return { ok: true, result } as any;
    } catch (body) {
      return body as any;
    }
  });
  return { api, calls, of: (method: string) => calls.filter((c) => c.method === method) };
}

function defaultResult(method: string, p: Record<string, any>, id = 1): unknown {
  if (method === "sendMessage" || method === "sendDocument") return { message_id: id, date: 0, chat: { id: p.chat_id, type: "private", first_name: "u" }, text: p.text };
  return true;
}

/** A Bot API error body as Telegram sends it. */
export const tooManyRequests = (retryAfter: number) => ({
  ok: false,
  error_code: 429,
  description: `Too Many Requests: retry after ${retryAfter}`,
  parameters: { retry_after: retryAfter },
});
