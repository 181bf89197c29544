// Interactive where a person is, scriptable where not: the same commands in a real terminal
// (prompts answered by typing) and without one (a clear error that names the flag).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FakeTelegram } from "../fakes/telegram-api";
import { pairFromTelegram } from "../helpers/pairing";
import { PtyProcess } from "../helpers/pty-process";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, TOKEN } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

let telegram: FakeTelegram;
let dir: ReturnType<typeof tmpDir>;
let serve: RaProcess | undefined;

beforeAll(() => {
  telegram = new FakeTelegram({ token: TOKEN, username: "ra_test_bot" });
  dir = tmpDir("ra-interactive-");
});
afterAll(async () => {
  await serve?.[Symbol.asyncDispose]();
  await telegram.stop();
  await dir[Symbol.asyncDispose]();
});

const serveArgs = (dataDir: string) => ["serve", "--data-dir", dataDir, "--telegram-api-root", telegram.url, "--listen", "127.0.0.1:0", "--owner", String(OWNER), "--poll-timeout", "1"];

describe("without a terminal, a missing value is a clear error", () => {
  test("ra serve without a bot token exits 78 and says what to pass", async () => {
    await using serveNoTty = new RaProcess(serveArgs(join(dir.path, "no-tty")));
    expect(await serveNoTty.exitCode()).toBe(78);
    expect(serveNoTty.stderr).toContain("no Telegram bot token given");
    expect(serveNoTty.stderr).toContain("--bot-token");
    expect(serveNoTty.stderr).toContain("RA_BOT_TOKEN");
  });

  test("ra pair without --relay or --name exits 2 and names the flag and its variable", async () => {
    await using noRelay = new RaProcess(["pair", "--name", "desk", "--config", join(dir.path, "x.json")]);
    expect(await noRelay.exitCode()).toBe(2);
    expect(noRelay.stderr).toContain("missing --relay");
    expect(noRelay.stderr).toContain("RA_RELAY");
    await using noName = new RaProcess(["pair", "--relay", "http://127.0.0.1:9", "--config", join(dir.path, "x.json")]);
    expect(await noName.exitCode()).toBe(2);
    expect(noName.stderr).toContain("missing --name");
  });
});

describe("in a terminal, ra asks", () => {
  let relayUrl = "";

  test("a first ra serve asks for the bot token, offers to save it 0600, and starts", async () => {
    const dataDir = join(dir.path, "relay");
    {
      await using first = new PtyProcess(serveArgs(dataDir));
      await first.waitFor(/Telegram bot token/, "the token prompt");
      first.type(`${TOKEN}\r`);
      await first.waitFor(/Save it \(mode 0600\)/, "the offer to save it");
      first.type("\r");
      await first.waitFor(/listening on 127\.0\.0\.1:\d+/, "the relay to start with the typed token");
      expect(first.output).not.toContain(TOKEN);
    }
    const saved = join(dataDir, "bot-token");
    expect(readFileSync(saved, "utf8").trim()).toBe(TOKEN);
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    // The next start, even without a terminal, uses the saved token.
    serve = new RaProcess(serveArgs(dataDir));
    relayUrl = `http://127.0.0.1:${(await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/, "the relay to start from the saved token"))[1]}`;
    await telegram.waitFor(() => telegram.calls.some((c) => c.method === "getUpdates"), { message: "the bot to poll with the saved token" });
  });

  test("ra pair asks for the relay URL and the machine name, then pairs", async () => {
    const config = join(dir.path, "agent", "config.json");
    await using pair = new PtyProcess(["pair", "--config", config]);
    await pair.waitFor(/Relay URL/, "the relay prompt");
    pair.type(`${relayUrl}\r`);
    await pair.waitFor(/Name for this machine/, "the name prompt");
    pair.type("desk\r");
    await pairFromTelegram(telegram, OWNER, pair);
    await pair.waitFor(/Paired as "desk"/, "the success line");
    expect(await pair.exitCode()).toBe(0);
    expect(JSON.parse(readFileSync(config, "utf8")).name).toBe("desk");
    expect(statSync(config).mode & 0o777).toBe(0o600);
  });
});
