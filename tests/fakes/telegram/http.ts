/**
 * The wire level of the fake Bot API: reading a request's parameters however the client sent them,
 * and answering in Telegram's envelope (`{ok:true,result}` or `{ok:false,error_code,description}`
 * with the HTTP status equal to error_code).
 */
import type { ResponseParameters } from "grammy/types";

export type Params = Record<string, unknown>;

/** A request's parameters plus the uploaded files, keyed by their form field name. */
export type ApiRequest = { params: Params; files: Map<string, File> };

/** A Bot API error; thrown by method handlers, turned into Telegram's error body. */
export class ApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }

  get body(): ErrorBody {
    return { ok: false, error_code: this.error_code, description: this.description, ...(this.parameters ? { parameters: this.parameters } : {}) };
  }
}

export type ErrorBody = { ok: false; error_code: number; description: string; parameters?: ResponseParameters };
export type OkBody = { ok: true; result: unknown; description?: string };

export const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

/** A result that Telegram sends with a `description` next to it ("Webhook was set"). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

export function okBody(value: unknown): OkBody {
  return value instanceof Described ? { ok: true, result: value.result, description: value.description } : { ok: true, result: value };
}

export const json = (body: unknown, status = 200) => Response.json(body, { status });

/** Parameters whose value is JSON when it arrives as a string (form bodies, or raw callers). */
const JSON_FIELDS = new Set([
  "reply_markup", "entities", "caption_entities", "link_preview_options", "reply_parameters", "commands", "scope",
  "allowed_updates", "reaction", "media", "rich_message", "suggested_post_parameters",
]);

/** Parameters that stay strings even when they look like numbers ("42" is a fine message text). */
const STRING_FIELDS = new Set([
  "text", "caption", "callback_query_id", "secret_token", "url", "name", "description", "short_description", "action",
  "file_id", "language_code", "emoji", "icon_custom_emoji_id", "title", "business_connection_id", "inline_message_id",
  "parse_mode", "ip_address", "document", "certificate", "thumbnail", "custom_emoji_id",
  "data", "button", // control routes (/_fake/click)
]);

/** Turns a form/query string into the value a JSON client would have sent. */
export function coerce(key: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (JSON_FIELDS.has(key)) {
    try {
      return JSON.parse(value);
    } catch {
      return value; // left as a string: the method's own check reports it
    }
  }
  if (STRING_FIELDS.has(key)) return value;
  if (/^-?(0|[1-9]\d{0,15})$/.test(value)) return Number(value);
  if (value === "true" || value === "false") return value === "true";
  return value;
}

/** Reads query string and body (JSON, multipart, urlencoded) into one coerced parameter object. */
export async function readRequest(req: Request): Promise<ApiRequest> {
  const params: Params = {};
  const files = new Map<string, File>();
  for (const [key, value] of new URL(req.url).searchParams) params[key] = value;
  if (req.method === "POST" || req.method === "PUT") await readBody(req, params, files);
  for (const [key, value] of Object.entries(params)) params[key] = coerce(key, value);
  return { params, files };
}

async function readBody(req: Request, params: Params, files: Map<string, File>): Promise<void> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (type.includes("application/json")) {
    const text = await req.text();
    if (text.trim() === "") return;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest("can't parse JSON encoded request body");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("request body must be a JSON object");
    Object.assign(params, body);
    return;
  }
  if (type.includes("multipart/form-data")) {
    for (const [key, value] of await req.formData()) {
      if (typeof value === "string") params[key] = value;
      else files.set(key, value);
    }
    return;
  }
  // urlencoded, or a body without a content type (curl -d defaults to urlencoded anyway)
  for (const [key, value] of new URLSearchParams(await req.text())) params[key] = value;
}
