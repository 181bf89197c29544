#!/usr/bin/env bun
/**
 * The fake Bot API as a standalone server for `bun run dev`: run the relay with
 * `--telegram-api-root <url>` and chat with it. The first stdout line is the URL; after that every
 * message in every chat is printed as it appears, changes, or goes away.
 *
 * Talk to the bot over HTTP (see /_fake for all routes):
 *   curl -d chat_id=1 -d text=/start <url>/_fake/send
 *   curl -d chat_id=1 -d message_id=5 -d button=Allow <url>/_fake/click
 * or, with --stdin (the default on a terminal), type lines: they are sent as user `--chat`; type
 * `:click <message_id> <button label or callback data>` to tap a button.
 *
 * Usage: bun tests/fakes/telegram-api-main.ts [--port N] [--token T] [--chat ID] [--topics] [--limits] [--stdin]
 *   --token   accept only this token (default: any token)
 *   --chat    the chat (and user) id typed lines come from (default 1)
 *   --topics  getMe reports has_topics_enabled
 *   --limits  enforce Telegram's documented flood limits strictly (429 with retry_after)
 */
import { parseArgs } from "node:util";
import type { InlineKeyboardMarkup } from "grammy/types";
import { FakeTelegram, type FakeEvent, type StoredMessage } from "./telegram-api";
import { CONTROL_HELP } from "./telegram/control";
import { buttonsOf } from "./telegram/validate";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    token: { type: "string" },
    chat: { type: "string", default: "1" },
    topics: { type: "boolean", default: false },
    limits: { type: "boolean", default: false },
    stdin: { type: "boolean", default: Boolean(process.stdin.isTTY) },
  },
});

const fake = new FakeTelegram({
  port: Number(values.port),
  ...(values.token ? { token: values.token } : { acceptAnyToken: true }),
  botInfo: { has_topics_enabled: values.topics },
  documentedLimits: values.limits,
});
const chatId = Number(values.chat);

process.stdout.write(`${fake.url}\n`);
process.stderr.write(`fake-telegram: Bot API at ${fake.url} (token: ${values.token ?? "any"}); run the relay with --telegram-api-root ${fake.url}\n`);
process.stderr.write(`${CONTROL_HELP.replaceAll("/_fake", `${fake.url}/_fake`)}\n`);

fake.on((event) => {
  const line = describe(event);
  if (line) process.stdout.write(`${line}\n`);
});

/** One line (plus buttons) per visible change; calls and polls stay quiet. */
function describe(event: FakeEvent): string | null {
  switch (event.type) {
    case "message":
      return describeMessage(event.change, event.message);
    case "update": {
      const query = event.update.callback_query;
      const where = query?.message ? `[chat ${query.message.chat.id} #${query.message.message_id}]` : "";
      return query ? `⇢ ${where} ${query.from.first_name} taps ${query.data}` : null;
    }
    case "callback_answer":
      return `  ⤷ callback answered${event.answer.show_alert ? " (alert)" : ""}: ${event.answer.text ?? "(no text)"}`;
    case "draft":
      return `… [chat ${event.draft.chat_id} draft ${event.draft.draft_id}] ${event.draft.text || "(thinking…)"}`;
    case "action":
      return `  · [chat ${event.action.chat_id}] ${event.action.action}`;
    case "webhook":
      return event.delivery.status >= 200 && event.delivery.status < 300 ? null : `! webhook delivery of update ${event.delivery.update_id} failed: ${event.delivery.error}`;
    default:
      return null;
  }
}

function describeMessage(change: string, m: StoredMessage): string {
  const where = `[chat ${m.chat_id}${m.message_thread_id !== undefined ? ` topic ${m.message_thread_id}` : ""} #${m.message_id}]`;
  const who = m.sender === "bot" ? "bot" : (m.from.username ?? m.from.first_name);
  if (change === "deleted") return `✗ ${where} deleted`;
  if (change === "reaction") return `  ${where} reaction: ${(m.reaction ?? []).map((r) => ("emoji" in r ? r.emoji : r.type)).join(" ") || "(none)"}`;
  const mark = change === "edited" ? "✎" : m.sender === "bot" ? "→" : "←";
  const body = m.document
    ? `📎 ${m.document.file_name} (${m.document.file_size} bytes, ${m.document.mime_type})${m.caption ? ` ${m.caption}` : ""}`
    : (m.text ?? "");
  const silent = m.disable_notification ? " (silent)" : "";
  return `${mark} ${where} ${who}${silent}: ${body}${describeButtons(m.reply_markup)}`;
}

function describeButtons(markup: InlineKeyboardMarkup | undefined): string {
  const rows = (markup?.inline_keyboard ?? []).map((row) => row.map((b) => `[${b.text}${"callback_data" in b ? ` → ${b.callback_data}` : ""}]`).join(" "));
  return rows.length > 0 ? `\n    ${rows.join("\n    ")}` : "";
}

async function readStdin(): Promise<void> {
  let buffered = "";
  for await (const chunk of process.stdin) {
    buffered += String(chunk);
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      handleLine(buffered.slice(0, newline).trim());
      buffered = buffered.slice(newline + 1);
    }
  }
}

function handleLine(line: string): void {
  if (line === "") return;
  const click = line.match(/^:click\s+(\d+)\s+(.+)$/);
  if (!click) {
    fake.userText(chatId, line);
    return;
  }
  const messageId = Number(click[1]);
  const wanted = click[2]!;
  const message = fake.chat(chatId).find((m) => m.message_id === messageId);
  const button = buttonsOf(message?.reply_markup).find((b) => b.text === wanted || ("callback_data" in b && b.callback_data === wanted));
  fake.clickButton(chatId, messageId, button && "callback_data" in button ? button.callback_data : wanted);
}

if (values.stdin) void readStdin();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void fake.stop().then(() => process.exit(0)));
}
