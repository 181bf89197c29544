import { Database } from "bun:sqlite";
import { join } from "node:path";
import type { UserFromGetMe } from "grammy/types";
import { startFakeModelApi, type FakeModelApi } from "../fakes/model-api";
import { FakeTelegram } from "../fakes/telegram-api";
import { CLAUDE_BIN, createClaudeEnv, type ClaudeTestEnv } from "./claude-env";
import { pairFromTelegram } from "./pairing";
import { startTcpProxy } from "./tcp-proxy";
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
export async function startStack(options: { serveArgs?: string[]; viaProxy?: boolean; claudePath?: string; port?: number; https?: boolean; agentEnv?: Record<string, string>; agentArgs?: string[]; botInfo?: Partial<UserFromGetMe>; editIntervalMs?: number; /** The fake Bot API enforces Telegram's documented limits strictly; ra serve keeps its default pacing. */ documentedLimits?: boolean } = {}) {
  const telegram = new FakeTelegram({ token: TOKEN, username: "ra_test_bot", botInfo: options.botInfo, documentedLimits: options.documentedLimits });
  const editInterval = options.editIntervalMs ?? (options.documentedLimits ? undefined : 50);
  const model = startFakeModelApi();
  const claude: ClaudeTestEnv = createClaudeEnv(model.url);
  const dir = tmpDir("ra-stack-");
  const workdir = claude.makeWorkdir();
  const config = join(dir.path, "agent", "config.json");
  const serveWith = (port: number, serveArgs = options.serveArgs ?? []) =>
    new RaProcess([
      "serve", "--bot-token", TOKEN, "--telegram-api-root", telegram.url, "--data-dir", join(dir.path, "relay"),
      "--listen", `127.0.0.1:${port}`, ...(editInterval === undefined ? [] : ["--edit-interval-ms", String(editInterval)]), "--poll-timeout", "1", "--owner", String(OWNER), ...serveArgs,
    ]);
  let serve = serveWith(options.port ?? 0);
  const port = Number((await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "the relay to listen"))[1]);
  const proxy = options.viaProxy ? startTcpProxy(port) : undefined;
  const relayUrl = proxy?.url ?? `${options.https ? "https" : "http"}://127.0.0.1:${port}`;
  {
    await using pair = new RaProcess(["pair", "--relay", relayUrl, "--name", "laptop", "--config", config], { env: options.agentEnv });
    await pairFromTelegram(telegram, OWNER, pair);
    if ((await pair.exitCode()) !== 0) throw new Error(`ra pair failed:\n${pair.output}`);
  }
  const startAgent = async () => {
    const agent = new RaProcess(["agent", "--config", config, "--root", workdir, "--claude", options.claudePath ?? CLAUDE_BIN, ...(options.agentArgs ?? [])], { env: { ...claude.env, ...options.agentEnv } });
    await agent.waitFor(/connected to .* as "laptop"/, "the agent to connect");
    return agent;
  };
  let agent = await startAgent();
  const extraAgents = new Map<string, RaProcess>();

  /** Pairs one more machine under `name` and starts its agent (in its own working directory). */
  const addMachine = async (name: string) => {
    const extraConfig = join(dir.path, `agent-${name}`, "config.json");
    {
      await using pair = new RaProcess(["pair", "--relay", relayUrl, "--name", name, "--config", extraConfig]);
      await pairFromTelegram(telegram, OWNER, pair);
      if ((await pair.exitCode()) !== 0) throw new Error(`ra pair failed:\n${pair.output}`);
    }
    const extra = new RaProcess(["agent", "--config", extraConfig, "--data-dir", join(dir.path, `agent-${name}`, "data"), "--root", claude.makeWorkdir(), "--claude", options.claudePath ?? CLAUDE_BIN], { env: claude.env });
    extraAgents.set(name, extra);
    await extra.waitFor(new RegExp(`connected to .* as "${name}"`), `the agent of ${name} to connect`);
    return extra;
  };

  const texts = (chatId = OWNER) => telegram.chat(chatId).filter((m) => !m.deleted).map((m) => m.text ?? "");
  return {
    telegram,
    model,
    claude,
    get serve() {
      return serve;
    },
    proxy,
    /** kill -9 the relay and start it again on the same port and data dir. */
    async crashAndRestartServe() {
      serve.kill("SIGKILL");
      await serve.exitCode();
      serve = serveWith(port);
      await serve.waitFor(/listening on/, "the relay to listen again");
      return serve;
    },
    /** Stops the relay cleanly (SIGTERM) and starts it again on the same port and data dir with other flags. */
    async restartServe(serveArgs: string[]) {
      await serve[Symbol.asyncDispose]();
      serve = serveWith(port, serveArgs);
      await serve.waitFor(/listening on/, "the relay to listen again");
      return serve;
    },
    /** The relay's data directory (database, secrets). */
    relayDir: join(dir.path, "relay"),
    /**
     * Resolves once the relay's database holds this Telegram message as a turn's live message.
     * Telegram shows a message a moment before the relay has stored its id: a kill -9 in between
     * cannot be told from "never sent", so crash tests wait for this first (rechecked on each call
     * the relay makes, its polls included).
     */
    liveMessageStored(messageId: number) {
      const stored = () => {
        const db = new Database(join(dir.path, "relay", "relay.db"), { readonly: true });
        try {
          const rows = db.query("SELECT message_ids FROM turns").all() as { message_ids: string }[];
          return rows.some((r) => (JSON.parse(r.message_ids) as number[]).includes(messageId));
        } finally {
          db.close();
        }
      };
      return telegram.waitFor(stored, { timeoutMs: 30_000, message: `the relay to store message ${messageId}` });
    },
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
    addMachine,
    /** The agent process of a machine added with addMachine. */
    extraAgent: (name: string) => extraAgents.get(name)!,
    texts,
    /** The bot's messages to the owner whose text matches. */
    messages: (pattern: RegExp, chatId = OWNER) => telegram.chat(chatId).filter((m) => !m.deleted && pattern.test(m.text ?? "")),
    /** Waits for a message to the owner matching `pattern` and resolves with the newest such one. */
    messageWith: (pattern: RegExp) => telegram.waitFor(() => telegram.chat(OWNER).filter((m) => !m.deleted && pattern.test(m.text ?? "")).at(-1), { timeoutMs: 30_000, message: `a message matching ${pattern}` }),
    waitForText: (pattern: RegExp, message = `a message matching ${pattern}`, chatId = OWNER) =>
      telegram.waitFor(() => texts(chatId).some((t) => pattern.test(t)), { timeoutMs: 30_000, message }),
    async [Symbol.asyncDispose]() {
      await agent[Symbol.asyncDispose]();
      for (const extra of extraAgents.values()) await extra[Symbol.asyncDispose]();
      await serve[Symbol.asyncDispose]();
      proxy?.stop();
      await telegram.stop();
      await model.stop();
      claude[Symbol.dispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}
