// `bun run dev`: the whole loop on this machine with no Telegram account and no Anthropic key.
// Starts the fake Bot API and the fake model, `ra serve`, pairs a machine and runs `ra agent`
// (the real claude CLI talks to the fake model). Type lines to send them as the owner; the bot's
// messages are printed as they appear and change. Pass --real-claude to use your own claude login.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startFakeModelApi } from "../tests/fakes/model-api";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv } from "../tests/helpers/claude-env";

const OWNER = 1001;
const TOKEN = "123456:DEV-token";
const realClaude = process.argv.includes("--real-claude");
const dir = mkdtempSync(join(tmpdir(), "ra-dev-"));
const telegram = new FakeTelegram({ token: TOKEN, username: "ra_dev_bot" });
const model = startFakeModelApi();
const claudeEnv = createClaudeEnv(model.url);
const ra = (args: string[], env: Record<string, string> = {}) =>
  Bun.spawn(["bun", "src/main.ts", ...args], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "inherit" });

const serve = ra(["serve", "--bot-token", TOKEN, "--telegram-api-root", telegram.url, "--data-dir", join(dir, "relay"), "--listen", "127.0.0.1:8787", "--owner", String(OWNER), "--poll-timeout", "5"]);
await telegram.waitFor(() => telegram.calls.some((c) => c.method === "getUpdates"), { message: "ra serve to poll", timeoutMs: 30_000 });

const config = join(dir, "config.json");
const pair = ra(["pair", "--relay", "http://127.0.0.1:8787", "--name", "dev", "--config", config]);
let pairOut = "";
let sent = false;
for await (const chunk of pair.stdout as ReadableStream<Uint8Array>) {
  pairOut += new TextDecoder().decode(chunk);
  const code = pairOut.match(/\/pair (\S+)/)?.[1];
  if (code && !sent) {
    sent = true;
    telegram.userText(OWNER, `/pair ${code}`);
    const card = await telegram.waitFor(() => telegram.chat(OWNER).find((m) => (m.text ?? "").startsWith("Pair this machine?")), { message: "the pairing card" });
    const yes = (card.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : "")).find((d) => d.endsWith(":y"))!;
    telegram.clickButton(OWNER, card.message_id, yes);
  }
}
await pair.exited;
const agent = ra(["agent", "--config", config, "--root", process.cwd(), "--claude", CLAUDE_BIN], realClaude ? {} : claudeEnv.env);

console.log(`\nra dev: relay on http://127.0.0.1:8787, data in ${dir}${realClaude ? "" : ", claude talks to the fake model"}.`);
console.log("Type a prompt or a command (/devices, /stop, /new, …); Ctrl-C quits.\n");

const shown = new Map<number, string>();
const render = () => {
  for (const m of telegram.chat(OWNER)) {
    const buttons = (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => `[${b.text}]`).join(" ");
    const view = `${m.text ?? ""}${buttons ? `\n${buttons}` : ""}`;
    if (shown.get(m.message_id) === view) continue;
    console.log(`${shown.has(m.message_id) ? "✎" : "🤖"} #${m.message_id}\n${view}\n`);
    shown.set(m.message_id, view);
  }
};
void (async () => {
  for (;;) {
    const count = telegram.calls.length;
    await telegram.waitFor(() => telegram.calls.length > count, { timeoutMs: 3_600_000 }).catch(() => {});
    render();
  }
})();

createInterface({ input: process.stdin }).on("line", (line) => line.trim() && telegram.userText(OWNER, line.trim()));
process.on("SIGINT", async () => {
  agent.kill("SIGTERM");
  serve.kill("SIGTERM");
  await Promise.all([agent.exited, serve.exited]);
  await telegram.stop();
  await model.stop();
  claudeEnv[Symbol.dispose]();
  process.exit(0);
});
