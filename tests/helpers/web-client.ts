// A browser's side of the web app with plain fetch and WebSocket: sign in with a /web link from the
// fake Telegram chat, keep the cookie, open /app/ws and wait on its messages (events, never sleeps).
import type { WebCommand, WebServerMessage } from "../../src/proto/web";
import { OWNER, type Stack } from "./stack";

/** The newest /web link the bot sent this chat, after asking for a fresh one. */
export async function webLink(stack: Stack, chatId = OWNER): Promise<string> {
  const before = stack.messages(/\/login\?t=/, chatId).length;
  stack.telegram.userText(chatId, "/web");
  await stack.telegram.waitFor(() => stack.messages(/\/login\?t=/, chatId).length > before, { message: "the bot's /web link" });
  const text = stack.messages(/\/login\?t=/, chatId).at(-1)!.text!;
  return text.match(/(https?:\/\/\S+\/login\?t=[A-Za-z0-9_-]+)/)![1]!;
}

/** The cookie a Set-Cookie header sets ("name=value"). */
export const cookieOf = (res: Response) => res.headers.get("set-cookie")?.split(";")[0];

/** POSTs the sign-in form as the relay's own page would (with its Origin). */
export function postLogin(origin: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${origin}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Signs in with a fresh /web link; returns the session cookie. */
export async function signIn(stack: Stack, chatId = OWNER): Promise<string> {
  const link = await webLink(stack, chatId);
  const res = await postLogin(new URL(link).origin, { t: new URL(link).searchParams.get("t")! });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return cookieOf(res)!;
}

export type AppSocket = Awaited<ReturnType<typeof openApp>>;

/** Opens the app's socket with a cookie; resolves once it is open (or rejects with the refusal). */
export async function openApp(origin: string, cookie: string, headers: Record<string, string> = { origin }, query = "") {
  const ws = new WebSocket(`${origin.replace(/^http/, "ws")}/app/ws${query}`, { headers: { cookie, ...headers } } as unknown as string[]);
  const messages: WebServerMessage[] = [];
  const waiters = new Set<() => void>();
  let closed: { code: number; reason: string } | undefined;
  ws.onmessage = (e) => {
    messages.push(JSON.parse(String(e.data)) as WebServerMessage);
    for (const w of waiters) w();
  };
  ws.onclose = (e) => {
    closed = { code: e.code, reason: e.reason };
    for (const w of waiters) w();
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("the app socket was refused"));
  });
  let ref = 0;
  const api = {
    messages,
    get closed() {
      return closed;
    },
    /** Resolves with the first message (from the start) that matches, waiting for it. */
    waitFor<T extends WebServerMessage = WebServerMessage>(match: ((m: WebServerMessage) => m is T) | ((m: WebServerMessage) => boolean), what: string, timeoutMs = 30_000): Promise<T> {
      return api.until(() => messages.find(match) as T | undefined, what, timeoutMs);
    },
    until<T>(value: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = value();
          if (found !== undefined) {
            done();
            resolve(found);
          } else if (closed && !what.includes("close")) {
            done();
            reject(new Error(`the socket closed (${closed.code} ${closed.reason}) while waiting for ${what}`));
          }
        };
        const timer = setTimeout(() => (done(), reject(new Error(`timed out waiting for ${what}`))), timeoutMs);
        const done = () => (clearTimeout(timer), waiters.delete(check));
        waiters.add(check);
        check();
      });
    },
    /** Sends a command and resolves with its result. */
    async command(body: WebCommand extends infer C ? (C extends { ref: string } ? Omit<C, "ref"> : never) : never) {
      const id = `t${++ref}`;
      ws.send(JSON.stringify({ ...body, ref: id }));
      return api.waitFor((m): m is Extract<WebServerMessage, { type: "result" }> => m.type === "result" && m.ref === id, `the result of ${body.type}`);
    },
    closeEvent: () => api.until(() => closed, "the socket to close"),
    close: () => ws.close(),
    raw: ws,
  };
  return api;
}
