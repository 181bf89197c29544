// The core loop through the compiled binary: `ra serve` against the fake Bot API, `ra pair`,
// `ra agent` running the real claude CLI against the fake model, and an owner in Telegram.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { startFakeModelApi, lastUserText, textsOf, type FakeModelApi } from "../fakes/model-api";
import { FakeTelegram } from "../fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv, type ClaudeTestEnv } from "../helpers/claude-env";
import { pairFromTelegram } from "../helpers/pairing";
import { RaProcess } from "../helpers/ra-process";
import { tmpDir } from "../helpers/tmp";

const OWNER = 1001;
const STRANGER = 2002;
const TOKEN = "123456:TEST-token-for-the-fake-bot-api";

let telegram: FakeTelegram;
let model: FakeModelApi;
let claude: ClaudeTestEnv;
let dir: ReturnType<typeof tmpDir>;
let serve: RaProcess;
let agent: RaProcess;
let relayUrl = "";
let setupCode = "";
const configPath = () => join(dir.path, "agent", "config.json");

/** Texts of the bot's messages in a chat, in their current (edited) state. */
const texts = (chatId: number) => telegram.chat(chatId).filter((m) => !m.deleted).map((m) => m.text ?? "");
const lastText = (chatId: number) => texts(chatId).at(-1) ?? "";
const waitForText = (chatId: number, pattern: RegExp, message = `a message matching ${pattern}`) =>
  telegram.waitFor(() => texts(chatId).some((t) => pattern.test(t)), { timeoutMs: 30_000, message });

beforeAll(async () => {
  telegram = new FakeTelegram({ token: TOKEN, username: "ra_test_bot" });
  model = startFakeModelApi();
  claude = createClaudeEnv(model.url);
  dir = tmpDir("ra-e2e-");
  serve = new RaProcess(
    ["serve", "--bot-token", TOKEN, "--telegram-api-root", telegram.url, "--data-dir", join(dir.path, "relay"), "--listen", "127.0.0.1:0", "--edit-interval-ms", "100", "--poll-timeout", "1"],
  );
  const listening = await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "the relay to listen");
  relayUrl = `http://127.0.0.1:${listening[1]}`;
  setupCode = (await serve.waitFor(/\/start (\S+)/, "the setup code"))[1]!;
});

afterAll(async () => {
  await agent?.[Symbol.asyncDispose]();
  await serve?.[Symbol.asyncDispose]();
  await telegram?.stop();
  await model?.stop();
  claude?.[Symbol.dispose]();
  await dir?.[Symbol.asyncDispose]();
});

describe("core loop through the compiled binary", () => {
  test("a stranger gets one polite refusal and nothing more", async () => {
    telegram.userText(STRANGER, "hello?");
    await waitForText(STRANGER, /private bot/);
    telegram.userText(STRANGER, `/start wrong-code`);
    telegram.userText(STRANGER, "/devices");
    // The owner claim below proves the bot handled later updates; the stranger still has one message.
    telegram.userText(OWNER, `/start ${setupCode}`);
    await waitForText(OWNER, /You are the owner/);
    expect(texts(STRANGER)).toEqual(["Sorry, this is a private bot."]);
  });

  test("the setup code works only once", async () => {
    telegram.userText(STRANGER + 1, `/start ${setupCode}`);
    await waitForText(STRANGER + 1, /private bot/);
    expect(texts(STRANGER + 1)).toEqual(["Sorry, this is a private bot."]);
  });

  test("ra pair prints a code; /pair in Telegram pairs the machine and saves a 0600 config", async () => {
    await using pair = new RaProcess(["pair", "--relay", relayUrl, "--name", "laptop", "--config", configPath()]);
    const card = await pairFromTelegram(telegram, OWNER, pair);
    expect(pair.stdout).toContain("@ra_test_bot");
    expect(pair.stdout).toMatch(/https:\/\/t\.me\/ra_test_bot\?start=pair_[A-Za-z0-9_-]{22}/);
    expect(card).toContain("Machine: laptop");
    expect(card).toContain("From: 127.0.0.1");
    expect(await pair.exitCode()).toBe(0);
    expect(pair.stdout).toContain('Paired as "laptop"');
    expect(statSync(configPath()).mode & 0o777).toBe(0o600);
    await waitForText(OWNER, /laptop paired/);
  });

  test("a reused or wrong code is refused without hints", async () => {
    telegram.userText(OWNER, "/pair BCDFG-HJKLM");
    await waitForText(OWNER, /not valid/);
  });

  test("ra status says paired, which relay, and reachable", async () => {
    await using status = new RaProcess(["status", "--config", configPath()]);
    expect(await status.exitCode()).toBe(0);
    expect(status.stdout).toContain('Paired as "laptop"');
    expect(status.stdout).toContain(relayUrl);
    expect(status.stdout).toContain("relay reachable, token accepted");
  });

  test("ra agent connects and /devices shows it online", async () => {
    agent = new RaProcess(["agent", "--config", configPath(), "--root", claude.makeWorkdir(), "--claude", CLAUDE_BIN], { env: claude.env });
    await agent.waitFor(/connected to .* as "laptop"/, "the agent to connect");
    telegram.userText(OWNER, "/devices");
    await waitForText(OWNER, /🟢 laptop – online/);
  });

  test("a prompt streams back into one edited message and ends with a footer", async () => {
    const answer = "Hello from **claude**. Here is some code:\n\n```ts\nconst x = 1;\n```\n\nDone.";
    model.enqueue([{ text: answer, chunkSize: 8 }]);
    const before = telegram.chat(OWNER).length;
    telegram.userText(OWNER, "say hello");
    await waitForText(OWNER, /✅ laptop · [\d.]+ s · \$[\d.]+ · 1 turn/, "the turn footer");
    const turnMessages = telegram.chat(OWNER).slice(before);
    expect(turnMessages).toHaveLength(1);
    const final = turnMessages[0]!;
    expect(final.text).toContain("Hello from claude. Here is some code:");
    expect(final.text).toContain("const x = 1;");
    expect(final.text).toMatch(/claude --resume [0-9a-f-]{36}/);
    expect(final.entities?.some((e) => e.type === "bold")).toBe(true);
    expect(final.entities?.some((e) => e.type === "pre" && e.language === "ts")).toBe(true);
    expect(telegram.calls.some((c) => c.method === "editMessageText" && c.payload.message_id === final.message_id)).toBe(true);
    expect(lastUserText((await model.waitForRequest(1)).body)).toBe("say hello");
  });

  test("a follow-up continues the same Claude conversation", async () => {
    const seen = model.requests.length;
    telegram.userText(OWNER, "and now a follow-up");
    const request = await model.waitForRequest(seen + 1);
    const all = (request.body?.messages ?? []).flatMap(textsOf).join("\n");
    expect(all).toContain("say hello");
    expect(all).toContain("Hello from **claude**");
    await waitForText(OWNER, /echo: and now a follow-up[\s\S]*✅ laptop/);
  });

  test("/new starts a fresh conversation", async () => {
    telegram.userText(OWNER, "/new");
    await waitForText(OWNER, /Fresh conversation with laptop/);
    const seen = model.requests.length;
    telegram.userText(OWNER, "fresh start");
    const request = await model.waitForRequest(seen + 1);
    const all = (request.body?.messages ?? []).flatMap(textsOf).join("\n");
    expect(all).toContain("fresh start");
    expect(all).not.toContain("say hello");
    await waitForText(OWNER, /echo: fresh start[\s\S]*✅ laptop/);
  });

  test("/stop interrupts a running turn and says so", async () => {
    model.enqueue({ blocks: [{ text: "Working on a long answer" }], stall: true });
    telegram.userText(OWNER, "take your time");
    await model.waitForStall();
    await waitForText(OWNER, /Working on a long answer/);
    telegram.userText(OWNER, "/stop");
    await waitForText(OWNER, /⏹ stopped · laptop/, "the stopped footer");
    expect(texts(OWNER)).toContain("Stopping the turn on laptop…");
    model.release();
    // The session still works after a stop.
    telegram.userText(OWNER, "still there?");
    await waitForText(OWNER, /echo: still there\?[\s\S]*✅ laptop/);
  });

  test("a secret in claude's answer is masked before it reaches Telegram", async () => {
    model.enqueue([{ text: "Found it in .env:\n\nOPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789\n\nUse it wisely." }]);
    telegram.userText(OWNER, "what is in .env?");
    await waitForText(OWNER, /Use it wisely\.[\s\S]*✅ laptop/);
    const answer = texts(OWNER).find((t) => t.includes("Use it wisely"))!;
    expect(answer).not.toContain("abcdefghijklmnopqrstuvwxyz0123456789");
    expect(answer).toContain("OPENAI_API_KEY=sk-p…[masked]");
    expect(answer).toContain("🔒 Something that looked like a secret was masked.");
    expect(JSON.stringify(telegram.calls)).not.toContain("abcdefghijklmnopqrstuvwxyz0123456789");
  });

  test("unknown commands get a clear answer", async () => {
    telegram.userText(OWNER, "/frobnicate now");
    await waitForText(OWNER, /Unknown command \/frobnicate/);
  });

  test("ra agent and ra serve stop cleanly on SIGTERM", async () => {
    agent.kill("SIGTERM");
    expect(await agent.exitCode()).toBe(0);
    expect(agent.stderr).toContain("SIGTERM: stopping");
    serve.kill("SIGTERM");
    expect(await serve.exitCode()).toBe(0);
    expect(lastText(STRANGER)).toBe("Sorry, this is a private bot.");
  });
});
