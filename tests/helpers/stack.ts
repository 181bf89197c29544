import { join } from "node:path";
import { startFakeModelApi, type FakeModelApi } from "../fakes/model-api";
import { FakeTelegram } from "../fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv, type ClaudeTestEnv } from "./claude-env";
import { pairFromTelegram } from "./pairing";
import { RaProcess } from "./ra-process";
import { tmpDir } from "./tmp";

export const OWNER = 1001;
export const TOKEN = "123456:TEST-token-for-the-fake-bot-api";

export type Stack = Awaited<ReturnType<typeof startStack>>;

/**
 * A whole running ra for end-to-end tests: fake Bot API and fake model on loopback, the compiled
 * `ra serve` with OWNER as owner, one machine paired as "laptop" and its `ra agent` running the
 * real claude CLI in a fresh working directory.
 */
export async function startStack(options: { serveArgs?: string[] } = {}) {
  const telegram = new FakeTelegram({ token: TOKEN, username: "ra_test_bot" });
  const model = startFakeModelApi();
  const claude: ClaudeTestEnv = createClaudeEnv(model.url);
  const dir = tmpDir("ra-stack-");
  const workdir = claude.makeWorkdir();
  const config = join(dir.path, "agent", "config.json");
  const serve = new RaProcess([
    "serve", "--bot-token", TOKEN, "--telegram-api-root", telegram.url, "--data-dir", join(dir.path, "relay"),
    "--listen", "127.0.0.1:0", "--edit-interval-ms", "50", "--poll-timeout", "1", "--owner", String(OWNER), ...(options.serveArgs ?? []),
  ]);
  const relayUrl = `http://127.0.0.1:${(await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "the relay to listen"))[1]}`;
  {
    await using pair = new RaProcess(["pair", "--relay", relayUrl, "--name", "laptop", "--config", config]);
    await pairFromTelegram(telegram, OWNER, pair);
    if ((await pair.exitCode()) !== 0) throw new Error(`ra pair failed:\n${pair.output}`);
  }
  const startAgent = async () => {
    const agent = new RaProcess(["agent", "--config", config, "--root", workdir, "--claude", CLAUDE_BIN], { env: claude.env });
    await agent.waitFor(/connected to .* as "laptop"/, "the agent to connect");
    return agent;
  };
  let agent = await startAgent();

  const texts = (chatId = OWNER) => telegram.chat(chatId).filter((m) => !m.deleted).map((m) => m.text ?? "");
  return {
    telegram,
    model,
    claude,
    serve,
    workdir,
    relayUrl,
    /** The agent's config file (device token inside). */
    config,
    get agent() {
      return agent;
    },
    async restartAgent() {
      agent = await startAgent();
      return agent;
    },
    texts,
    /** The bot's messages to the owner whose text matches. */
    messages: (pattern: RegExp, chatId = OWNER) => telegram.chat(chatId).filter((m) => !m.deleted && pattern.test(m.text ?? "")),
    waitForText: (pattern: RegExp, message = `a message matching ${pattern}`, chatId = OWNER) =>
      telegram.waitFor(() => texts(chatId).some((t) => pattern.test(t)), { timeoutMs: 30_000, message }),
    async [Symbol.asyncDispose]() {
      await agent[Symbol.asyncDispose]();
      await serve[Symbol.asyncDispose]();
      await telegram.stop();
      await model.stop();
      claude[Symbol.dispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}
