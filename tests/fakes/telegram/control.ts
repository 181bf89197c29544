/**
 * The fake's control API over HTTP, under `/_fake/*` on the same port as the Bot API, for a bot
 * that runs in another process (the standalone dev server, subprocess tests). Bodies may be JSON,
 * urlencoded or a query string; answers use Telegram's `{ok, result}` envelope.
 */
import type { FakeTelegram } from "../telegram-api";
import { ApiError, badRequest, json, readRequest, type Params } from "./http";
import { buttonsOf } from "./validate";

export const CONTROL_HELP = `fake Telegram control routes:
  POST   /_fake/send     {chat_id, text, from_id?, first_name?, username?, chat_type?, title?, thread_id?, reply_to?}
  POST   /_fake/click    {chat_id, message_id, data}  or  {chat_id, message_id, button: "<label>"}
  POST   /_fake/update   a raw Update (update_id optional)
  POST   /_fake/fault    {method, error_code, description?, retry_after?, count?}
  DELETE /_fake/fault    ?method=<name> (all faults without it)
  GET    /_fake/chat/:id     the bot's messages in their current state
  GET    /_fake/history/:id  every message, the user's included
  GET    /_fake/calls        ?method=<name>&since=<seq>
  GET    /_fake/state        webhook, pending updates, callback answers, drafts, chat actions`;

type Route = (fake: FakeTelegram, p: Params, match: RegExpMatchArray) => unknown;

const ROUTES: Array<[string, RegExp, Route]> = [
  ["POST", /^\/_fake\/send$/, send],
  ["POST", /^\/_fake\/click$/, click],
  ["POST", /^\/_fake\/update$/, (fake, p) => ({ update_id: fake.pushUpdate(p as never) })],
  ["POST", /^\/_fake\/fault$/, fault],
  ["DELETE", /^\/_fake\/fault$/, (fake, p) => (fake.clearFaults(p.method === undefined ? undefined : String(p.method)), true)],
  ["GET", /^\/_fake\/chat\/(-?\d+)$/, (fake, _p, m) => fake.chat(Number(m[1]))],
  ["GET", /^\/_fake\/history\/(-?\d+)$/, (fake, _p, m) => fake.history(Number(m[1]))],
  ["GET", /^\/_fake\/calls$/, calls],
  ["GET", /^\/_fake\/state$/, state],
];

export async function handleControl(fake: FakeTelegram, req: Request, url: URL): Promise<Response> {
  if (url.pathname === "/_fake" || url.pathname === "/_fake/") return new Response(`${CONTROL_HELP}\n`);
  const found = ROUTES.map(([method, pattern, route]) => ({ method, match: url.pathname.match(pattern), route })).filter((r) => r.match);
  const route = found.find((r) => r.method === req.method);
  if (!route) return json(new ApiError(found.length > 0 ? 405 : 404, found.length > 0 ? "Method Not Allowed" : "Not Found").body, found.length > 0 ? 405 : 404);
  try {
    const { params } = await readRequest(req);
    return new Response(JSON.stringify({ ok: true, result: route.route(fake, params, route.match!) }, bytesAsLength), { headers: { "content-type": "application/json" } });
  } catch (err) {
    const error = err instanceof ApiError ? err : badRequest((err as Error).message);
    return json(error.body, error.error_code);
  }
}

/** Uploaded bytes are shown by size, not dumped as a JSON object of numbers. */
function bytesAsLength(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { bytes: value.length } : value;
}

function required(p: Params, name: string): unknown {
  if (p[name] === undefined || p[name] === "") throw badRequest(`${name} is required`);
  return p[name];
}

function send(fake: FakeTelegram, p: Params) {
  const optional = (name: string) => (p[name] === undefined ? undefined : p[name]);
  return fake.userText(Number(required(p, "chat_id")), String(required(p, "text")), {
    fromId: optional("from_id") as number | undefined,
    firstName: optional("first_name") as string | undefined,
    username: optional("username") as string | undefined,
    chatType: optional("chat_type") as "private" | "group" | "supergroup" | undefined,
    title: optional("title") as string | undefined,
    threadId: optional("thread_id") as number | undefined,
    replyTo: optional("reply_to") as number | undefined,
  });
}

function click(fake: FakeTelegram, p: Params) {
  const chatId = Number(required(p, "chat_id"));
  const messageId = Number(required(p, "message_id"));
  let data = p.data === undefined ? undefined : String(p.data);
  if (data === undefined) {
    const label = String(required(p, "button"));
    const message = fake.chat(chatId).find((m) => m.message_id === messageId && !m.deleted);
    const button = buttonsOf(message?.reply_markup).find((b) => b.text === label);
    if (!button || !("callback_data" in button)) throw badRequest(`no button "${label}" with callback data on message ${messageId}`);
    data = button.callback_data;
  }
  const fromId = p.from_id === undefined ? undefined : Number(p.from_id);
  return { callback_query_id: fake.clickButton(chatId, messageId, data, { fromId }) };
}

function fault(fake: FakeTelegram, p: Params) {
  fake.injectFault(String(required(p, "method")), {
    error_code: Number(required(p, "error_code")),
    description: p.description === undefined ? undefined : String(p.description),
    retry_after: p.retry_after === undefined ? undefined : Number(p.retry_after),
    count: p.count === undefined ? undefined : Number(p.count),
  });
  return true;
}

function calls(fake: FakeTelegram, p: Params) {
  const since = Number(p.since ?? 0);
  return fake.calls.filter((c) => c.seq > since && (p.method === undefined || c.method === p.method));
}

function state(fake: FakeTelegram) {
  return {
    webhook: fake.webhook,
    pending_updates: fake.pendingUpdates.length,
    polling: fake.polling,
    callback_answers: fake.callbackAnswers,
    drafts: fake.drafts(),
    actions: fake.actions(),
  };
}
