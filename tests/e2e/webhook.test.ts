// Webhook mode through the compiled binary: `ra serve --webhook` registers itself with the fake Bot
// API, which then POSTs every update with the secret header; forged deliveries change nothing;
// a restart without --webhook deletes the webhook and polls again.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../helpers/free-port";
import { RaProcess } from "../helpers/ra-process";
import { tmpDir } from "../helpers/tmp";
import { OWNER, startStack, TOKEN, type Stack } from "../helpers/stack";

let stack: Stack;
const port = freePort();
const publicUrl = `http://127.0.0.1:${port}`;
const hookUrl = `${publicUrl}/telegram/webhook`;

beforeAll(async () => {
  stack = await startStack({ port, serveArgs: ["--webhook", "--public-url", publicUrl] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const secret = () => readFileSync(join(stack.relayDir, "webhook-secret"), "utf8").trim();
const storedUpdate = (updateId: number) => {
  const db = new Database(join(stack.relayDir, "relay.db"));
  try {
    return db.query("SELECT update_id FROM telegram_updates WHERE update_id = ?").get(updateId);
  } finally {
    db.close();
  }
};
const ownerUpdate = (updateId: number, text: string) => ({
  update_id: updateId,
  message: {
    message_id: 900_000 + updateId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: OWNER, type: "private", first_name: "Owner" },
    from: { id: OWNER, is_bot: false, first_name: "Owner" },
    text,
    ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] } : {}),
  },
});
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(hookUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("webhook mode through the compiled binary", () => {
  test("registers the hook with a 0600 secret and the update types it handles, and never prints the secret", () => {
    const hook = stack.telegram.webhook;
    expect(hook?.url).toBe(hookUrl);
    expect(hook?.secret_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hook?.secret_token).toBe(secret());
    expect(statSync(join(stack.relayDir, "webhook-secret")).mode & 0o777).toBe(0o600);
    expect(hook?.allowed_updates).toEqual(["message", "callback_query", "my_chat_member", "stopped_message_generation"]);
    expect(stack.telegram.polling).toBe(false);
    expect(stack.serve.output).toContain(`receives updates at ${hookUrl}`);
    expect(stack.serve.output).not.toContain(secret());
  });

  test("a prompt goes out and its answer streams back, every update delivered by webhook", async () => {
    stack.telegram.userText(OWNER, "hello by webhook");
    await stack.waitForText(/echo: hello by webhook[\s\S]*✅ laptop/);
    const deliveries = stack.telegram.webhookDeliveries;
    expect(deliveries.length).toBeGreaterThan(2); // pairing and the prompt, all through the hook
    expect(deliveries.every((d) => d.status === 200 && d.secret_header === secret())).toBe(true);
  });

  test("a forged delivery (no secret, wrong secret) is refused with 401 and changes nothing", async () => {
    const before = stack.texts().length;
    const forged = ownerUpdate(777_001, "/devices");
    const none = await post(forged);
    const wrong = await post(forged, { "X-Telegram-Bot-Api-Secret-Token": "A".repeat(43) });
    const short = await post(forged, { "X-Telegram-Bot-Api-Secret-Token": "x" });
    expect([none.status, wrong.status, short.status]).toEqual([401, 401, 401]);
    // The secret is checked before the body is read: garbage without it is 401, not 400.
    const garbage = await fetch(hookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(garbage.status).toBe(401);
    expect(await none.json()).toEqual({ error: "unauthorized", message: "missing or wrong X-Telegram-Bot-Api-Secret-Token" });
    expect(storedUpdate(777_001)).toBeNull();

    // A real message after the forged ones is answered, and it is the only new answer.
    stack.telegram.userText(OWNER, "/status");
    await stack.telegram.waitFor(() => stack.texts().length > before, { message: "the answer to /status" });
    expect(stack.texts().slice(before)).toEqual([expect.stringMatching(/^Prompts go to laptop\./)]);
    expect(stack.serve.output).toContain("refused a webhook request from 127.0.0.1: no secret token");
    expect(stack.serve.output).toContain("refused a webhook request from 127.0.0.1: wrong secret token");
  });

  test("a delivery Telegram repeats is handled once; a malformed body is refused", async () => {
    const before = stack.texts().length;
    const update = ownerUpdate(777_002, "/status");
    const started = performance.now();
    const first = await post(update, { "X-Telegram-Bot-Api-Secret-Token": secret() });
    expect(performance.now() - started).toBeLessThan(1000); // answered before the handler runs
    const again = await post(update, { "X-Telegram-Bot-Api-Secret-Token": secret() });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect((await post({ nope: true }, { "X-Telegram-Bot-Api-Secret-Token": secret() })).status).toBe(400);
    stack.telegram.userText(OWNER, "/devices");
    await stack.waitForText(/laptop – online/);
    expect(stack.texts().slice(before).filter((t) => t.startsWith("Prompts go to laptop."))).toHaveLength(1);
    expect(storedUpdate(777_002)).toEqual({ update_id: 777_002 });
  });

  test("restarting without --webhook deletes the webhook and polls again", async () => {
    await stack.restartServe([]);
    await stack.telegram.waitFor(() => stack.telegram.polling, { message: "the relay to poll" });
    expect(stack.telegram.webhook).toBeNull();
    stack.telegram.userText(OWNER, "hello by polling");
    await stack.waitForText(/echo: hello by polling[\s\S]*✅ laptop/);
    expect(stack.telegram.calls.some((c) => c.method === "deleteWebhook")).toBe(true);
  });
});

describe("ra serve --webhook usage errors", () => {
  const serve = async (...args: string[]) => {
    await using proc = new RaProcess(["serve", "--bot-token", TOKEN, "--webhook", ...args]);
    return { code: await proc.exitCode(), stderr: proc.stderr };
  };

  test("without --public-url", async () => {
    expect(await serve()).toEqual({ code: 2, stderr: expect.stringContaining("--webhook needs --public-url") });
  });
  test("a webhook Telegram refuses stops the relay with Telegram's reason", async () => {
    await using dir = tmpDir();
    const got = await serve("--public-url", "https://relay.example.com", "--telegram-api-root", stack.telegram.url, "--data-dir", dir.path, "--listen", "127.0.0.1:0");
    expect(got.code).toBe(69);
    expect(got.stderr).toContain("Telegram refused the webhook https://relay.example.com/telegram/webhook");
    expect(got.stderr).toContain("delivers only to loopback addresses");
    expect(got.stderr).not.toContain(readFileSync(join(dir.path, "webhook-secret"), "utf8").trim());
  });

  test("with http, or a port Telegram does not deliver to", async () => {
    expect(await serve("--public-url", "http://relay.example.com")).toEqual({ code: 2, stderr: expect.stringContaining("--webhook needs an https --public-url") });
    expect(await serve("--public-url", "https://relay.example.com:8080")).toEqual({ code: 2, stderr: expect.stringContaining("--webhook cannot use port 8080") });
  });
});
