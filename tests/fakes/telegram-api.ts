/**
 * A fake Telegram Bot API on loopback, honest to the real shapes: Message objects with per-chat
 * increasing ids and unix-second dates, `{ok:false,error_code,description,parameters}` errors with
 * the HTTP status equal to error_code, long-polled getUpdates with offsets (the newest poll wins),
 * webhooks with the secret header, multipart uploads, and the real error texts.
 *
 * Point grammY at it with `new Bot(fake.token, { client: { apiRoot: fake.url } })`. Tests drive the
 * user's side in-process (userText, clickButton, injectFault), read what the user sees (chat, sent)
 * and wait on events (waitFor), never on sleeps. The same control is served over HTTP under
 * `/_fake/*` (see telegram/control.ts) for a bot running in another process.
 */
import type { BotCommand, ForumTopic, Message, Update, UserFromGetMe } from "grammy/types";
import { handleControl } from "./telegram/control";
import { ApiError, type ApiRequest, type ErrorBody, json, okBody, type OkBody, readRequest } from "./telegram/http";
import { DocumentedLimits } from "./telegram/documented-limits";
import { canonicalMethod, METHODS, WRITE_METHODS } from "./telegram/methods";
import { commandKey, compact, FakeState, mimeTypeOf } from "./telegram/state";
import type {
  Call,
  CallbackAnswer,
  ChatActionRecord,
  DraftSnapshot,
  FakeEvent,
  FakeTelegramOptions,
  FaultSpec,
  StoredMessage,
  UserFile,
  UserTextOptions,
  WebhookDelivery,
} from "./telegram/types";
import { UpdateQueue, type Webhook } from "./telegram/updates";

export type * from "./telegram/types";
export type { Webhook } from "./telegram/updates";
export { NOT_MODIFIED } from "./telegram/validate";

export type WaitOptions = { timeoutMs?: number; message?: string };
type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;
type Fault = { method: string; remaining: number; error: ApiError };
export type UploadedDocument = { message_id: number; file_name: string; mime_type: string; caption?: string; bytes: Uint8Array; text: string };

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden: bot was blocked by the user",
  404: "Not Found",
  409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

export class FakeTelegram {
  readonly token: string;
  readonly username: string;
  readonly botInfo: UserFromGetMe;
  /** Every request, in arrival order; `response` is set once answered. */
  readonly calls: Call[] = [];
  private readonly server: ReturnType<typeof Bun.serve>;
  private readonly state: FakeState;
  private readonly updates: UpdateQueue;
  private readonly acceptAnyToken: boolean;
  private readonly floodControl: FakeTelegramOptions["floodControl"];
  /** Set with `documentedLimits`; its `rejected` lists every call refused with a 429. */
  readonly limits: DocumentedLimits | undefined;
  private readonly faults: Fault[] = [];
  private readonly listeners = new Set<(event: FakeEvent) => void>();
  private readonly lastWrite = new Map<number, number>();
  private stopped = false;

  constructor(options: FakeTelegramOptions = {}) {
    this.token = options.token ?? "123456:TEST";
    this.username = options.username ?? options.botInfo?.username ?? "ra_test_bot";
    this.acceptAnyToken = options.acceptAnyToken ?? false;
    this.floodControl = options.floodControl;
    const documented = options.documentedLimits;
    this.limits = documented ? new DocumentedLimits(typeof documented === "object" ? documented.retryAfter : undefined) : undefined;
    this.botInfo = {
      id: Number(this.token.split(":")[0]) || 123456,
      is_bot: true,
      first_name: "ra test",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
      ...options.botInfo,
      username: this.username,
    };
    const emit = (event: FakeEvent) => this.emit(event);
    this.state = new FakeState(this.botInfo, emit);
    this.updates = new UpdateQueue(emit, { attempts: options.webhook?.attempts ?? 3, retryDelayMs: options.webhook?.retryDelayMs ?? 20, freshConnections: options.webhook?.freshConnections });
    this.server = Bun.serve({ port: options.port ?? 0, hostname: "127.0.0.1", idleTimeout: 60, fetch: (req) => this.handle(req) });
  }

  /** The apiRoot for grammY: requests go to `${url}/bot${token}/${method}`. */
  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  // ---- the user's side

  /** A user writes in a chat; returns the Message the bot will receive. */
  userText(chatId: number, text: string, options: UserTextOptions | number = {}): Message {
    const o = typeof options === "number" ? { fromId: options } : options;
    const type = o.chatType ?? (chatId > 0 ? "private" : String(chatId).startsWith("-100") ? "supergroup" : "group");
    const from = this.state.user(o.fromId ?? (type === "private" ? chatId : 1000), { firstName: o.firstName, username: o.username });
    const record = this.state.defineChat(chatId, type, o.title);
    if (o.threadId !== undefined && !record.topics.has(o.threadId)) this.state.addTopic(chatId, `Topic ${o.threadId}`, 7322096, o.threadId);
    const command = text.match(/^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?/);
    const entities = [...(command ? [{ type: "bot_command" as const, offset: 0, length: command[0].length }] : []), ...(o.entities ?? [])];
    const stored = this.state.addMessage(chatId, compact({
      sender: "user" as const,
      from,
      text,
      entities: entities.length > 0 ? entities : undefined,
      message_thread_id: o.threadId,
      reply_to_message_id: o.replyTo,
    }));
    const message = this.state.toMessage(stored);
    this.pushUpdate({ message } as Omit<Update, "update_id">);
    return message;
  }

  /**
   * A user sends a photo or a document, with an optional caption; returns the Message the bot will
   * receive. The bytes are kept, so getFile and the file download serve them back.
   */
  userFile(chatId: number, file: UserFile, options: UserTextOptions | number = {}): Message {
    const o = typeof options === "number" ? { fromId: options } : options;
    const type = o.chatType ?? (chatId > 0 ? "private" : String(chatId).startsWith("-100") ? "supergroup" : "group");
    const from = this.state.user(o.fromId ?? (type === "private" ? chatId : 1000), { firstName: o.firstName, username: o.username });
    this.state.defineChat(chatId, type, o.title);
    let media: Pick<StoredMessage, "photo" | "document">;
    if (file.as === "photo") {
      const original = this.state.storeFile(file.bytes, "photo.jpg", "image/jpeg").document;
      const width = file.width ?? 1280;
      const height = file.height ?? 720;
      // Telegram adds smaller sizes before the original; a thumbnail of its own bytes stands for them here.
      const thumb = this.state.storeFile(file.bytes.slice(0, Math.min(file.bytes.length, 256)), "thumb.jpg", "image/jpeg").document;
      const size = (d: typeof original, w: number, h: number) => ({ file_id: d.file_id, file_unique_id: d.file_unique_id, width: w, height: h, file_size: d.file_size });
      media = { photo: [size(thumb, 90, Math.round((90 * height) / width)), size(original, width, height)] };
    } else {
      const fileName = file.fileName ?? "file.bin";
      media = { document: this.state.storeFile(file.bytes, fileName, file.mimeType ?? mimeTypeOf(fileName)).document };
    }
    const stored = this.state.addMessage(chatId, compact({
      sender: "user" as const,
      from,
      ...media,
      caption: file.caption,
      message_thread_id: o.threadId,
      reply_to_message_id: o.replyTo,
    }));
    const message = this.state.toMessage(stored);
    this.pushUpdate({ message } as Omit<Update, "update_id">);
    return message;
  }

  /**
   * A user taps an inline button; returns the callback query id. Like a real double tap racing an
   * edit, it does not require the button to still be there; a deleted message arrives as an
   * InaccessibleMessage.
   */
  clickButton(chatId: number, messageId: number, data: string, from: number | { fromId?: number; firstName?: string; username?: string } = {}): string {
    const o = typeof from === "number" ? { fromId: from } : from;
    const record = this.state.chat(chatId);
    const user = this.state.user(o.fromId ?? (record.chat.type === "private" ? chatId : 1000), { firstName: o.firstName, username: o.username });
    const stored = this.state.findMessage(chatId, messageId);
    const id = this.state.newCallbackId();
    const callback_query = {
      id,
      from: user,
      message: stored ? this.state.toMessage(stored) : this.state.inaccessible(chatId, messageId),
      chat_instance: (-4_000_000_000_000_000n - BigInt(chatId)).toString(),
      data,
    };
    this.pushUpdate({ callback_query } as Omit<Update, "update_id">);
    return id;
  }

  /** The 10.3 draft Stop button: a stopped_message_generation update. */
  stopDraft(chatId: number, draftId: number, threadId?: number): number | null {
    const stopped = compact({ chat: this.state.chat(chatId).chat, draft_id: draftId, message_thread_id: threadId });
    return this.pushUpdate({ stopped_message_generation: stopped } as unknown as Omit<Update, "update_id">);
  }

  /** A user adds the bot to a group: a my_chat_member update from "left" to "member", as Telegram sends it. */
  addBotToGroup(chatId: number, byUserId: number, options: { title?: string; firstName?: string } = {}): number | null {
    const type = String(chatId).startsWith("-100") ? "supergroup" : "group";
    const record = this.state.defineChat(chatId, type, options.title);
    this.state.leftChats.delete(chatId);
    const bot = this.state.botUser;
    const my_chat_member = {
      chat: record.chat,
      from: this.state.user(byUserId, { firstName: options.firstName }),
      date: Math.floor(Date.now() / 1000),
      old_chat_member: { user: bot, status: "left" },
      new_chat_member: { user: bot, status: "member" },
    };
    return this.pushUpdate({ my_chat_member } as unknown as Omit<Update, "update_id">);
  }

  /** Queues any update; returns its update_id, or null when allowed_updates filters it out. */
  pushUpdate(update: Omit<Update, "update_id"> & { update_id?: number }): number | null {
    return this.updates.push(update)?.update_id ?? null;
  }

  /** The next `count` calls of `method` ("*": any method) fail with this error, before any checks. */
  injectFault(method: string, fault: FaultSpec): void {
    const code = fault.error_code;
    const retryAfter = code === 429 ? (fault.retry_after ?? 1) : fault.retry_after;
    const description = code === 429 ? `Too Many Requests: retry after ${retryAfter}` : (fault.description ?? DEFAULT_DESCRIPTIONS[code] ?? `Error ${code}`);
    const parameters = retryAfter !== undefined || fault.parameters ? { ...fault.parameters, ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}) } : undefined;
    this.faults.push({ method, remaining: fault.count ?? 1, error: new ApiError(code, description, parameters) });
  }

  clearFaults(method?: string): void {
    for (let i = this.faults.length - 1; i >= 0; i--) if (method === undefined || this.faults[i]!.method === method) this.faults.splice(i, 1);
  }

  // ---- what the user sees

  /** The bot's messages in a chat, in order and in their current (edited) state, deleted ones flagged. */
  chat(chatId: number): StoredMessage[] {
    return this.history(chatId).filter((m) => m.sender === "bot");
  }

  /** Every message in a chat, the user's included. */
  history(chatId: number): StoredMessage[] {
    return this.state.chats.get(chatId)?.messages ?? [];
  }

  /** The texts (or captions) of the bot's messages that are still visible. */
  sent(chatId: number): string[] {
    return this.chat(chatId).filter((m) => !m.deleted).map((m) => m.text ?? m.caption ?? "");
  }

  /** Documents the bot uploaded to a chat, with their bytes and those bytes read as UTF-8. */
  documents(chatId: number): UploadedDocument[] {
    return this.chat(chatId).flatMap((m) =>
      m.document && m.bytes
        ? [compact({ message_id: m.message_id, file_name: m.document.file_name ?? "", mime_type: m.document.mime_type ?? "", caption: m.caption, bytes: m.bytes, text: new TextDecoder().decode(m.bytes) })]
        : [],
    );
  }

  /** sendMessageDraft snapshots, oldest first. */
  drafts(chatId?: number): DraftSnapshot[] {
    return this.state.drafts.filter((d) => chatId === undefined || d.chat_id === chatId);
  }

  /** sendChatAction calls that succeeded. */
  actions(chatId?: number): ChatActionRecord[] {
    return this.state.actions.filter((a) => chatId === undefined || a.chat_id === chatId);
  }

  get callbackAnswers(): readonly CallbackAnswer[] {
    return this.state.callbackAnswers;
  }

  callbackAnswer(callbackQueryId: string): CallbackAnswer | undefined {
    return this.state.callbackAnswers.find((a) => a.callback_query_id === callbackQueryId);
  }

  /** The command list for a scope and language (default scope when omitted), as getMyCommands reports it. */
  commands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[] {
    return this.state.commands.get(commandKey(scope, languageCode)) ?? [];
  }

  topics(chatId: number): ForumTopic[] {
    return [...(this.state.chats.get(chatId)?.topics.values() ?? [])];
  }

  /** The user deletes a topic: from then on Telegram answers "message thread not found" for it. */
  deleteTopic(chatId: number, threadId: number): void {
    this.state.chat(chatId).topics.delete(threadId);
  }

  get leftChats(): ReadonlySet<number> {
    return this.state.leftChats;
  }

  get webhook(): Webhook | null {
    return this.updates.webhook;
  }

  get webhookDeliveries(): readonly WebhookDelivery[] {
    return this.updates.deliveries;
  }

  /** Updates not yet confirmed by a getUpdates offset (or not yet taken by the webhook). */
  get pendingUpdates(): readonly Update[] {
    return this.updates.pending;
  }

  /** True while a long getUpdates is being held open. */
  get polling(): boolean {
    return this.updates.polling;
  }

  callsTo(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * Milliseconds between consecutive send/edit calls to one chat (all attempts, failed ones too),
   * so tests can assert the bot respects its throttle. `methods` defaults to every chat write.
   */
  intervals(chatId: number, methods: string[] = WRITE_METHODS): number[] {
    const times = this.calls.filter((c) => methods.includes(c.method) && c.payload.chat_id === chatId).map((c) => c.at);
    return times.slice(1).map((t, i) => t - times[i]!);
  }

  /** The smallest of `intervals`; Infinity with fewer than two calls. */
  minInterval(chatId: number, methods?: string[]): number {
    return Math.min(...this.intervals(chatId, methods));
  }

  // ---- waiting and lifecycle

  /** Subscribes to every state change and call; returns the unsubscribe function. */
  on(listener: (event: FakeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the predicate's value once it is truthy. The predicate is re-checked on every
   * call and state change (no polling); a throwing predicate counts as false. On timeout it rejects
   * with `message` and the recent calls.
   */
  waitFor<T>(predicate: () => T, options: WaitOptions = {}): Promise<Truthy<T>> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    let lastError: unknown;
    const check = (): { value: Truthy<T> } | null => {
      try {
        const value = predicate();
        return value ? { value: value as Truthy<T> } : null;
      } catch (err) {
        lastError = err;
        return null;
      }
    };
    const first = check();
    if (first) return Promise.resolve(first.value);
    const describe = (why: string) => new Error(this.describeWait(why, options.message ?? predicate.toString(), lastError));
    if (this.stopped) return Promise.reject(describe("the fake Telegram is stopped"));
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        unsubscribe();
        clearTimeout(timer);
        settle();
      };
      const unsubscribe = this.on((event) => {
        if (event.type === "stopped") return finish(() => reject(describe("the fake Telegram was stopped")));
        const result = check();
        if (result) finish(() => resolve(result.value));
      });
      const timer = setTimeout(() => finish(() => reject(describe(`timed out after ${timeoutMs} ms`))), timeoutMs);
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.updates.close();
    this.emit({ type: "stopped" });
    await this.server.stop(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  // ---- serving

  private emit(event: FakeEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private describeWait(why: string, what: string, lastError: unknown): string {
    const recent = this.calls
      .filter((c) => c.method !== "getUpdates")
      .slice(-12)
      .map((c) => `  #${c.seq} ${c.method} ${JSON.stringify(c.payload).slice(0, 300)} → ${outcome(c.response)}`);
    return [
      `${why} waiting for ${what}`,
      ...(lastError ? [`the predicate last threw: ${(lastError as Error).message ?? String(lastError)}`] : []),
      `recent calls (${this.calls.length} in all, getUpdates left out):`,
      ...(recent.length > 0 ? recent : ["  (none)"]),
    ].join("\n");
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/_fake" || url.pathname.startsWith("/_fake/")) return handleControl(this, req, url);
    const download = url.pathname.match(/^\/file\/bot([^/]+)\/(.+)$/);
    if (download) return this.download(download[1]!, decodeURIComponent(download[2]!));
    const route = url.pathname.match(/^\/bot([^/]+)\/(?:test\/)?([^/]+)\/?$/);
    if (!route) return errorResponse(new ApiError(404, "Not Found").body);
    let request: ApiRequest;
    try {
      request = await readRequest(req);
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(err.body);
      throw err;
    }
    const call = this.record(canonicalMethod(route[2]!) ?? route[2]!, request.params);
    // Calls with a wrong token are recorded too: "the bot uses another token" should show in a failed wait.
    call.response = this.tokenAccepted(route[1]!) ? await this.answer(call.method, request, req.signal) : new ApiError(401, "Unauthorized").body;
    this.emit({ type: "call", call });
    return call.response.ok ? json(call.response) : errorResponse(call.response);
  }

  private tokenAccepted(token: string): boolean {
    return this.acceptAnyToken ? /^\d+:[\w-]+$/.test(token) : token === this.token;
  }

  private record(method: string, payload: Record<string, unknown>): Call {
    const call: Call = { seq: this.calls.length + 1, method, payload, at: Date.now() };
    this.calls.push(call);
    this.emit({ type: "call", call });
    return call;
  }

  private async answer(method: string, request: ApiRequest, signal: AbortSignal): Promise<OkBody | ErrorBody> {
    try {
      this.throwFault(method);
      this.throwFlood(method, request.params);
      this.throwOverLimits(method, request.params);
      const handler = METHODS[method];
      if (!handler) throw new ApiError(404, "Not Found: method not found");
      return okBody(await handler({ p: request.params, files: request.files, state: this.state, updates: this.updates, signal }));
    } catch (err) {
      if (err instanceof ApiError) return err.body;
      console.error(`fake telegram: ${method} crashed`, err);
      return new ApiError(500, `Internal Server Error: ${(err as Error).message}`).body;
    }
  }

  private throwFault(method: string): void {
    const fault = this.faults.find((f) => f.method === method || f.method === "*");
    if (!fault) return;
    if (--fault.remaining <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    throw fault.error;
  }

  /** Optional simulated flood control: too-fast writes to one chat get a 429. */
  private throwFlood(method: string, p: Record<string, unknown>): void {
    if (!this.floodControl || !WRITE_METHODS.includes(method) || typeof p.chat_id !== "number") return;
    const now = performance.now();
    const last = this.lastWrite.get(p.chat_id);
    if (last !== undefined && now - last < this.floodControl.minIntervalMs) {
      const retryAfter = this.floodControl.retryAfter ?? 1;
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    this.lastWrite.set(p.chat_id, now);
  }

  /** Optional strict documented limits, on calls addressed to a chat. */
  private throwOverLimits(method: string, p: Record<string, unknown>): void {
    if (!this.limits || typeof p.chat_id !== "number") return;
    const refused = this.limits.check(method, p.chat_id, performance.now());
    if (refused) throw new ApiError(429, refused.description, refused.parameters);
  }

  private download(token: string, path: string): Response {
    const file = this.tokenAccepted(token) ? [...this.state.files.values()].find((f) => f.file_path === path) : undefined;
    if (!file) return errorResponse(new ApiError(404, "Not Found").body);
    return new Response(file.bytes, { headers: { "content-type": file.document.mime_type ?? "application/octet-stream" } });
  }
}

const errorResponse = (body: ErrorBody) => json(body, body.error_code);

function outcome(response: Call["response"]): string {
  if (!response) return "(pending)";
  return response.ok ? "ok" : `${response.error_code} ${response.description}`;
}
