import { describe, expect, test } from "bun:test";
import { agentOptions } from "../../src/options/agent";
import { cittyArgs, helpText, type Options, parseOptions } from "../../src/options/define";
import { pairOptions } from "../../src/options/pair";
import { serveOptions } from "../../src/options/serve";
import { relayConfig } from "../../src/relay/config";
import { cli } from "../helpers/every-option";

const TABLES: Record<string, Options> = { serve: serveOptions, agent: agentOptions, pair: pairOptions };
const serve = (rawArgs: string[], env: Record<string, string> = {}) => parseOptions(serveOptions, cli(serveOptions, rawArgs, env));
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { message: (err as Error).message, hint: (err as { hint?: string }).hint, exitCode: (err as { exitCode?: number }).exitCode };
  }
  throw new Error("expected a refusal");
};

describe("options tables", () => {
  for (const [name, table] of Object.entries(TABLES)) {
    test(`${name}: every example is a valid value, every key is unique, and the help names the variable and the default`, () => {
      const keys = Object.values(table).map((o) => o.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const [flag, o] of Object.entries(table)) {
        const parsed = o.type.safeParse(o.example);
        expect({ flag, ok: parsed.success }).toEqual({ flag, ok: true });
        if (o.env) expect(helpText(o)).toContain(o.env);
        const shown = o.shownDefault ?? (typeof o.default === "string" ? o.default : undefined);
        if (shown) expect(helpText(o)).toContain(`default ${shown}`);
        expect(cittyArgs(table)[flag]!.type).toBe(o.kind === "boolean" ? "boolean" : "string");
      }
    });
  }

  test("no flags and no variables: the relay gets the same defaults as before the tables", () => {
    const config = relayConfig(serve([], { HOME: "/home/pi" }), "1:AA");
    expect(config).toEqual({
      botToken: "1:AA",
      dataDir: "/home/pi/.local/share/ra",
      host: "0.0.0.0",
      port: 8080,
      publicUrl: undefined,
      telegramApiRoot: undefined,
      databaseUrl: undefined,
      redisUrl: undefined,
      owners: [],
      trustProxy: [],
      tls: undefined,
      webhookUrl: undefined,
      editIntervalMs: 1200,
      pollTimeoutSeconds: 30,
      approvalTimeoutMs: 600_000,
      maxMessages: 3,
      silenceNoticeMs: 300_000,
      drafts: false,
      webLoginCode: false,
    });
  });

  test("a flag beats its variable, which beats the default", () => {
    expect(serve(["--max-messages", "7"], { RA_MAX_MESSAGES: "9" }).maxMessages).toBe(7);
    expect(serve([], { RA_MAX_MESSAGES: "9" }).maxMessages).toBe(9);
    expect(serve([], { RA_MAX_MESSAGES: "" }).maxMessages).toBe(3);
    expect(serve(["--listen", "[::1]:9000"], { RA_LISTEN: "1.2.3.4:1" }).listen).toEqual({ host: "::1", port: 9000 });
    expect(serve(["--approval-timeout", "2", "--silence-notice", "3"]).approvalTimeoutMs).toBe(2000);
  });

  test("a list takes repeated flags and commas; the variable is comma-separated; an empty one counts as unset", () => {
    expect(serve(["--owner", "5", "--listen", "x:1", "--owner=6,7"], { RA_OWNERS: "1" }).owners).toEqual([5, 6, 7]);
    expect(serve([], { RA_OWNERS: "1, 2" }).owners).toEqual([1, 2]);
    const agent = (rawArgs: string[], env: Record<string, string> = {}) => parseOptions(agentOptions, cli(agentOptions, rawArgs, env)).roots;
    expect(agent(["--root", "/a", "--root", "/b"])).toEqual(["/a", "/b"]);
    expect(agent([], { RA_ROOTS: "/c,/d" })).toEqual(["/c", "/d"]);
    expect(agent(["--root", ""], { RA_ROOTS: "," })).toEqual([process.cwd()]);
  });

  test("a switch is on with its flag or 1/true/yes in its variable; --no-flag turns it off over the variable", () => {
    expect(serve(["--drafts"]).drafts).toBe(true);
    expect(serve([], { RA_DRAFTS: "yes" }).drafts).toBe(true);
    expect(serve([], { RA_WEBHOOK: "1", RA_PUBLIC_URL: "https://relay.example.com" }).webhook).toBe(true);
    expect(serve([], { RA_DRAFTS: "0" }).drafts).toBe(false);
    expect(serve(["--no-drafts"], { RA_DRAFTS: "1" }).drafts).toBe(false);
    expect(refusal(() => serve([], { RA_DRAFTS: "maybe" })).message).toBe('--drafts (from RA_DRAFTS) is a switch: set its variable to 1 or 0, not "maybe"');
  });

  test("a bad value is a usage error that names the flag (or the variable it came from), what it takes, and the value", () => {
    expect(refusal(() => serve(["--max-messages", "99"]))).toEqual({ message: '--max-messages takes a whole number from 1 to 50, not "99"', hint: undefined, exitCode: 2 });
    expect(refusal(() => serve([], { RA_MAX_MESSAGES: "lots" })).message).toBe('--max-messages (from RA_MAX_MESSAGES) takes a whole number from 1 to 50, not "lots"');
    expect(refusal(() => serve(["--silence-notice", "0"])).message).toBe('--silence-notice takes whole seconds, at least 1, not "0"');
    expect(refusal(() => serve(["--poll-timeout", "51"])).message).toBe('--poll-timeout takes whole seconds from 0 to 50, not "51"');
    expect(refusal(() => serve(["--owner", "5", "--owner", "@ann"]))).toEqual({
      message: '--owner takes Telegram user ids, not "@ann"',
      hint: "user ids are numbers; message @userinfobot to see yours",
      exitCode: 2,
    });
    expect(refusal(() => serve(["--listen", "8080"]))).toEqual({ message: '--listen takes HOST:PORT, not "8080"', hint: "for example 0.0.0.0:8080 or 127.0.0.1:8080", exitCode: 2 });
    expect(refusal(() => serve(["--public-url", "relay.example.com"])).message).toBe('--public-url takes an http(s) URL such as https://relay.example.com, not "relay.example.com"');
    expect(refusal(() => serve(["--log-level", "loud"])).message).toBe('--log-level takes error, warn, info, debug or trace, not "loud"');
    expect(refusal(() => parseOptions(agentOptions, cli(agentOptions, ["--max-mode", "yolo"]))).message).toBe('--max-mode takes plan, default or acceptEdits, not "yolo"');
  });

  test("a secret is never echoed in an error", () => {
    const { message, hint } = refusal(() => serve(["--bot-token", "oops-secret"]));
    expect(message).toBe("--bot-token is not a Telegram bot token");
    expect(`${message}${hint}`).not.toContain("oops-secret");
  });

  test("options that only make sense together are checked together", () => {
    expect(refusal(() => relayConfig(serve(["--tls-cert", "a.pem"]), "1:AA")).message).toBe("--tls-cert and --tls-key go together");
    expect(refusal(() => relayConfig(serve(["--webhook"]), "1:AA")).message).toBe("--webhook needs --public-url");
    expect(relayConfig(serve(["--webhook", "--public-url", "https://relay.example.com"]), "1:AA").webhookUrl).toBe("https://relay.example.com/telegram/webhook");
  });

  test("--redis goes with --database only, takes a redis:// URL, and never echoes it", () => {
    const alone = refusal(() => relayConfig(serve(["--redis", "redis://:hunter2@127.0.0.1:6379"]), "1:AA"));
    expect(alone).toEqual({
      message: "--redis needs --database postgres://…: relays that share Redis must share their state in Postgres too",
      hint: "pass --database (or RA_DATABASE_URL) as well, or drop --redis (one relay keeps its limits in memory)",
      exitCode: 2,
    });
    expect(refusal(() => relayConfig(serve([], { RA_REDIS_URL: "redis://127.0.0.1:6379" }), "1:AA")).message).toStartWith("--redis needs --database");
    const both = relayConfig(serve(["--database", "postgres://ra@127.0.0.1/ra"], { RA_REDIS_URL: "redis://:hunter2@127.0.0.1:6379" }), "1:AA");
    expect(both).toMatchObject({ databaseUrl: "postgres://ra@127.0.0.1/ra", redisUrl: "redis://:hunter2@127.0.0.1:6379" });
    const bad = refusal(() => serve(["--redis", "http://:hunter2@127.0.0.1:6379"]));
    expect(bad.message).toBe("--redis takes a redis:// URL");
    expect(`${bad.message}${bad.hint}`).not.toContain("hunter2");
  });
});
