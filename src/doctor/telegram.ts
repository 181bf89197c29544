/**
 * The relay's side of Telegram, checked from `ra doctor --serve`: the bot token (getMe), the
 * webhook (ra serve long-polls, so none should be set), and whether another program polls the token.
 */
import { type CheckResult, fail, ok, warn } from "./check";

export interface BotApi {
  root: string;
  token: string;
}

type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string };

async function call(api: BotApi, method: string, params: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<Answer> {
  const res = await fetch(`${api.root.replace(/\/+$/, "")}/bot${api.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await res.json()) as Answer;
}

const unreachable = (check: string, api: BotApi, err: unknown) =>
  fail(check, `cannot reach the Telegram Bot API at ${api.root}: ${(err as Error).message}`, "check this machine's network (and --telegram-api-root if you run your own Bot API server)");

export async function checkBotToken(api: BotApi): Promise<CheckResult> {
  const name = "bot token";
  let answer: Answer;
  try {
    answer = await call(api, "getMe");
  } catch (err) {
    return unreachable(name, api, err);
  }
  if (answer.ok) {
    const bot = answer.result as { username?: string; id?: number };
    return ok(name, `valid: @${bot.username} (id ${bot.id})`);
  }
  if (answer.error_code === 401 || answer.error_code === 404) {
    return fail(name, `Telegram rejected the bot token (${answer.error_code} ${answer.description})`, "copy the token again from @BotFather (/mybots → API Token) and pass it with --bot-token or RA_BOT_TOKEN");
  }
  return fail(name, `getMe failed: ${answer.error_code} ${answer.description}`, "try again in a minute; Telegram may be having trouble");
}

export async function checkWebhook(api: BotApi): Promise<CheckResult> {
  const name = "webhook";
  let answer: Answer;
  try {
    answer = await call(api, "getWebhookInfo");
  } catch (err) {
    return unreachable(name, api, err);
  }
  if (!answer.ok) return fail(name, `getWebhookInfo failed: ${answer.error_code} ${answer.description}`);
  const info = answer.result as { url?: string; pending_update_count?: number; last_error_message?: string };
  const pending = info.pending_update_count ? `, ${info.pending_update_count} update(s) waiting` : "";
  if (!info.url) return ok(name, `none set, as long polling needs${pending}`);
  const lastError = info.last_error_message ? `; its last error: ${info.last_error_message}` : "";
  return warn(name, `a webhook is set to ${info.url}${pending}${lastError}; ra serve polls, and deletes it when it starts`, "if another program receives this bot's updates through that webhook, give ra its own bot (@BotFather /newbot)");
}

/**
 * Nothing tells whether someone else polls a token, except polling: the newer getUpdates ends
 * the older one with 409, so a poller that asks again within `seconds` ends ours. Skipped when
 * the relay on this machine runs (it would be the one whose poll ends).
 */
export async function checkPoller(api: BotApi, localRelay: string | undefined, seconds: number): Promise<CheckResult> {
  const name = "poller";
  if (localRelay) return ok(name, `ra serve on this machine (${localRelay}) is polling; it stops with a clear error if anything else polls this token`);
  let answer: Answer;
  try {
    // No offset: nothing is confirmed, the updates stay for ra serve.
    answer = await call(api, "getUpdates", { timeout: seconds, limit: 1 }, (seconds + 15) * 1000);
  } catch (err) {
    return unreachable(name, api, err);
  }
  if (answer.ok) return ok(name, `no other program polled this bot token during ${seconds} s`);
  if (answer.error_code === 409 && /webhook/i.test(answer.description)) return warn(name, "cannot poll while the webhook is set (see above)");
  if (answer.error_code === 409) {
    return fail(name, `another program is polling this bot token (409 ${answer.description})`, "stop the other ra serve (or bot) that uses this token; a token can be polled by one program only (or make a new token: @BotFather /revoke)");
  }
  return fail(name, `getUpdates failed: ${answer.error_code} ${answer.description}`);
}
