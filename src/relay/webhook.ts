import type { Api } from "grammy";
import type { Update } from "grammy/types";
import type { Hono } from "hono";
import { getConnInfo } from "hono/bun";
import { z } from "../proto/zod";
import type { Log } from "../log";
import { constantTimeEqual } from "./secrets";
import { ALLOWED_UPDATES } from "./telegram/allowed-updates";
import { WEBHOOK_PATH } from "./webhook-url";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Telegram's updates are a few KiB; anything near this is not from Telegram. */
const MAX_UPDATE_BYTES = 1 << 20;

const IncomingUpdate = z.looseObject({ update_id: z.int().check(z.nonnegative()) });

export type WebhookDeps = {
  secret: string;
  /** Stores the update and handles it in the background; settles once the update is stored for good. */
  receive(update: Update): Promise<"new" | "duplicate" | "stopping">;
  log: Log;
};

/**
 * POST /telegram/webhook. The secret header is compared in constant time before the body is read;
 * a stored update is answered 200 at once and handled in the background, so Telegram never waits
 * on a handler (and never redelivers because of one).
 */
export function mountWebhook(app: Hono, deps: WebhookDeps): void {
  app.post(WEBHOOK_PATH, async (c) => {
    const given = c.req.header(SECRET_HEADER);
    if (!given || !constantTimeEqual(given, deps.secret)) {
      deps.log.warn(`refused a webhook request from ${ipOf(c)}: ${given ? "wrong" : "no"} secret token`);
      return c.json({ error: "unauthorized", message: "missing or wrong X-Telegram-Bot-Api-Secret-Token" }, 401);
    }
    if (Number(c.req.header("content-length") ?? 0) > MAX_UPDATE_BYTES) return c.json({ error: "too_large", message: "an update is at most 1 MiB" }, 413);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "bad_request", message: "the body is not JSON" }, 400);
    }
    const parsed = IncomingUpdate.safeParse(body);
    if (!parsed.success) return c.json({ error: "bad_request", message: "the body is not a Telegram update" }, 400);
    // While shutting down nothing is stored: Telegram delivers it again to the next start.
    // Answered only once the update is stored for good: until then Telegram keeps it and delivers it again.
    const outcome = await deps.receive(parsed.data as unknown as Update).catch(() => "unstored" as const);
    if (outcome === "stopping") return c.json({ error: "unavailable", message: "the relay is restarting" }, 503);
    if (outcome === "unstored") return c.json({ error: "unavailable", message: "the relay could not store the update" }, 503);
    return c.body(null, 200);
  });
}

/** Points Telegram at the relay's webhook; from now on getUpdates is refused until deleteWebhook. */
export async function registerWebhook(api: Api, url: string, secret: string): Promise<void> {
  await api.setWebhook(url, { secret_token: secret, allowed_updates: ALLOWED_UPDATES, max_connections: 40 });
}

function ipOf(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
