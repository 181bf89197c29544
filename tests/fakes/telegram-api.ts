/**
 * A fake Telegram Bot API on loopback, honest to the real shapes: Message objects with per-chat
 * increasing ids and unix-second dates, `{ok:false,error_code,description,parameters}` errors with
 * the HTTP status equal to error_code, long-polled getUpdates with offsets, and the real error
 * texts for "not modified", "message to edit not found", over-long and empty texts.
 * Tests drive it in-process (userText, clickButton, injectFault) and read what the user saw (chat).
 */
import type { InlineKeyboardMarkup, Message, MessageEntity, Update } from "grammy/types";

export type StoredMessage = {
  message_id: number;
  chat_id: number;
  text?: string;
  entities?: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
  disable_notification?: boolean;
  edits: number;
  deleted: boolean;
};
export type Call = { method: string; payload: Record<string, any>; at: number };
type Fault = { error_code: number; description: string; retry_after?: number; count: number };
type Poll = { offset: number; limit: number; resolve: (r: Response) => void; timer: ReturnType<typeof setTimeout> };

export class FakeTelegram {
  readonly token: string;
  readonly username: string;
  readonly calls: Call[] = [];
  private server: ReturnType<typeof Bun.serve>;
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private messages = new Map<number, StoredMessage[]>();
  private faults = new Map<string, Fault>();
  private poll: Poll | null = null;
  private watchers = new Set<() => void>();
  private callbackIds = new Set<string>();
  private botId = 999_000_111;

  constructor(options: { token?: string; username?: string } = {}) {
    this.token = options.token ?? "123456:TEST";
    this.username = options.username ?? "ra_test_bot";
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 60, fetch: (req) => this.handle(req) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** The bot's messages in one chat, in their current (edited) state. */
  chat(chatId: number): StoredMessage[] {
    return this.messages.get(chatId) ?? [];
  }

  userText(chatId: number, text: string, fromId = chatId): void {
    const command = text.match(/^\/\w+/);
    const message = {
      message_id: this.nextMessageId(chatId),
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: `User${fromId}` },
      from: { id: fromId, is_bot: false, first_name: `User${fromId}` },
      text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
    };
    this.push({ message } as unknown as Omit<Update, "update_id">);
  }

  clickButton(chatId: number, messageId: number, data: string, fromId = chatId): string {
    const id = `cb${this.nextUpdateId}`;
    this.callbackIds.add(id);
    const stored = this.chat(chatId).find((m) => m.message_id === messageId);
    const callback_query = {
      id,
      from: { id: fromId, is_bot: false, first_name: `User${fromId}` },
      chat_instance: `ci${chatId}`,
      data,
      message: { message_id: messageId, date: 0, chat: { id: chatId, type: "private", first_name: `User${chatId}` }, text: stored?.text ?? "" },
    };
    this.push({ callback_query } as unknown as Omit<Update, "update_id">);
    return id;
  }

  injectFault(method: string, fault: Omit<Fault, "count"> & { count?: number }): void {
    this.faults.set(method, { count: 1, ...fault });
  }

  /** Resolves once `predicate` holds, re-checked on every API call (no polling). */
  waitFor(predicate: () => boolean, options: { timeoutMs?: number; message?: string } = {}): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        this.watchers.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        const recent = this.calls.slice(-8).map((c) => `${c.method} ${JSON.stringify(c.payload).slice(0, 300)}`).join("\n");
        reject(new Error(`timed out waiting for ${options.message ?? "a condition"}; recent calls:\n${recent}`));
      }, options.timeoutMs ?? 30_000);
      this.watchers.add(check);
    });
  }

  async stop(): Promise<void> {
    if (this.poll) this.answerPoll();
    this.server.stop(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private push(update: Omit<Update, "update_id">): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update } as Update);
    if (this.poll) this.answerPoll();
  }

  private nextMessageId(chatId: number): number {
    const list = this.chat(chatId);
    return (list.at(-1)?.message_id ?? 0) + 1 + list.length;
  }

  private notify(): void {
    for (const check of [...this.watchers]) check();
  }

  private answerPoll(): void {
    const poll = this.poll!;
    this.poll = null;
    clearTimeout(poll.timer);
    poll.resolve(ok(this.updates.filter((u) => u.update_id >= poll.offset).slice(0, poll.limit)));
  }

  private async handle(req: Request): Promise<Response> {
    const match = new URL(req.url).pathname.match(/^\/bot([^/]+)\/(?:test\/)?(\w+)$/);
    if (!match) return error(404, "Not Found");
    if (match[1] !== this.token) return error(401, "Unauthorized");
    const method = match[2]!;
    const payload = await readPayload(req);
    this.calls.push({ method, payload, at: Date.now() });
    const fault = this.faults.get(method);
    if (fault && fault.count > 0) {
      fault.count--;
      this.notify();
      return error(fault.error_code, fault.description, fault.retry_after);
    }
    try {
      return await this.dispatch(method, payload, req);
    } finally {
      this.notify();
    }
  }

  private dispatch(method: string, p: Record<string, any>, req: Request): Response | Promise<Response> {
    switch (method) {
      case "getMe":
        return ok({ id: this.botId, is_bot: true, first_name: "ra test", username: this.username, can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false });
      case "getUpdates":
        return this.getUpdates(p, req);
      case "deleteWebhook":
      case "setMyCommands":
      case "sendChatAction":
      case "leaveChat":
        return ok(true);
      case "answerCallbackQuery":
        if (!this.callbackIds.delete(String(p.callback_query_id))) return error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
        return ok(true);
      case "sendMessage":
        return this.sendMessage(p);
      case "editMessageText":
        return this.editMessageText(p);
      case "deleteMessage": {
        const m = this.chat(Number(p.chat_id)).find((x) => x.message_id === Number(p.message_id) && !x.deleted);
        if (!m) return error(400, "Bad Request: message to delete not found");
        m.deleted = true;
        return ok(true);
      }
      default:
        return error(404, "Not Found: method not found");
    }
  }

  private getUpdates(p: Record<string, any>, req: Request): Response | Promise<Response> {
    const offset = Number(p.offset ?? 0);
    this.updates = this.updates.filter((u) => u.update_id >= offset);
    const limit = Number(p.limit ?? 100);
    if (this.updates.length > 0 || !Number(p.timeout)) return ok(this.updates.slice(0, limit));
    if (this.poll) {
      const old = this.poll;
      this.poll = null;
      clearTimeout(old.timer);
      old.resolve(error(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"));
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.poll?.resolve === resolve && this.answerPoll(), Number(p.timeout) * 1000);
      this.poll = { offset, limit, resolve, timer };
      req.signal.addEventListener("abort", () => {
        if (this.poll?.resolve !== resolve) return;
        clearTimeout(timer);
        this.poll = null;
      });
    });
  }

  private sendMessage(p: Record<string, any>): Response {
    const chatId = Number(p.chat_id);
    const problem = checkText(String(p.text ?? ""), p.entities);
    if (problem) return error(400, problem);
    const stored: StoredMessage = {
      message_id: this.nextMessageId(chatId),
      chat_id: chatId,
      text: String(p.text),
      entities: p.entities,
      reply_markup: p.reply_markup,
      disable_notification: p.disable_notification,
      edits: 0,
      deleted: false,
    };
    this.messages.set(chatId, [...this.chat(chatId), stored]);
    return ok(this.asMessage(stored));
  }

  private editMessageText(p: Record<string, any>): Response {
    const m = this.chat(Number(p.chat_id)).find((x) => x.message_id === Number(p.message_id) && !x.deleted);
    if (!m) return error(400, "Bad Request: message to edit not found");
    const problem = checkText(String(p.text ?? ""), p.entities);
    if (problem) return error(400, problem);
    if (m.text === p.text && JSON.stringify(m.entities ?? []) === JSON.stringify(p.entities ?? []) && JSON.stringify(m.reply_markup ?? null) === JSON.stringify(p.reply_markup ?? null)) {
      return error(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
    }
    Object.assign(m, { text: String(p.text), entities: p.entities, reply_markup: p.reply_markup, edits: m.edits + 1 });
    return ok({ ...this.asMessage(m), edit_date: Math.floor(Date.now() / 1000) });
  }

  private asMessage(m: StoredMessage): Message {
    return {
      message_id: m.message_id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: m.chat_id, type: "private", first_name: `User${m.chat_id}` },
      from: { id: this.botId, is_bot: true, first_name: "ra test", username: this.username },
      text: m.text,
      ...(m.entities?.length ? { entities: m.entities } : {}),
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    } as Message;
  }
}

function checkText(text: string, entities: MessageEntity[] | undefined): string | null {
  if (text.trim().length === 0) return "Bad Request: message text is empty";
  if (text.length > 4096) return "Bad Request: message is too long";
  for (const e of entities ?? []) {
    if (e.offset < 0 || e.length <= 0 || e.offset + e.length > text.length) return `Bad Request: can't parse entities: entity ${e.type} at ${e.offset} is out of range`;
  }
  return null;
}

async function readPayload(req: Request): Promise<Record<string, any>> {
  const url = new URL(req.url);
  const out: Record<string, any> = Object.fromEntries(url.searchParams);
  if (req.method !== "POST") return out;
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/json")) return { ...out, ...((await req.json()) as object) };
  const form = type.includes("multipart/form-data") ? await req.formData() : new URLSearchParams(await req.text());
  for (const [key, value] of form.entries()) {
    if (typeof value !== "string") continue;
    try {
      out[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
    } catch {
      out[key] = value;
    }
  }
  return out;
}

const ok = (result: unknown) => Response.json({ ok: true, result });
const error = (code: number, description: string, retry_after?: number) =>
  Response.json({ ok: false, error_code: code, description, ...(retry_after !== undefined ? { parameters: { retry_after } } : {}) }, { status: code });
