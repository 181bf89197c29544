// Claiming a relay with no owner, through the compiled binary: the setup code printed on the
// console and saved 0600 works once; a corrupt or unreadable database is an error, never a fresh install.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeTelegram } from "../fakes/telegram-api";
import { RaProcess } from "../helpers/ra-process";
import { TOKEN } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

const FIRST = 6001;
const SECOND = 6002;
let telegram: FakeTelegram;
let dir: ReturnType<typeof tmpDir>;
beforeAll(() => {
  telegram = new FakeTelegram({ token: TOKEN });
  dir = tmpDir();
});
afterAll(async () => {
  await telegram?.stop();
  await dir?.[Symbol.asyncDispose]();
});

const serve = (dataDir: string, ...extra: string[]) =>
  new RaProcess(["serve", "--bot-token", TOKEN, "--telegram-api-root", telegram.url, "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--poll-timeout", "1", "--edit-interval-ms", "0", ...extra]);
const texts = (chatId: number) => telegram.sent(chatId);

describe("the setup code", () => {
  test("a restart before anyone claimed the relay prints a new code; the old one is dead", async () => {
    const data = join(dir.path, "relay");
    let old: string;
    {
      await using first = serve(data);
      old = (await first.waitFor(/\/start ([A-Za-z0-9_-]{22})\n/, "the setup code"))[1]!;
    }
    await using relay = serve(data);
    const code = (await relay.waitFor(/\/start ([A-Za-z0-9_-]{22})\n/, "the new setup code"))[1]!;
    expect(code).not.toBe(old);
    const file = join(data, "setup-code");
    expect(readFileSync(file, "utf8")).toBe(`${code}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    telegram.userText(FIRST, `/start ${old}`);
    await telegram.waitFor(() => texts(FIRST).length === 1, { message: "the refusal of the old code" });
    telegram.userText(SECOND, `/start ${code}`);
    await telegram.waitFor(() => texts(SECOND).some((t) => t.startsWith("✅ You are the owner")), { message: "the claim" });
    expect(texts(FIRST)).toEqual(["Sorry, this is a private bot."]);
    expect(existsSync(file)).toBe(false);
    expect(relay.output).not.toMatch(new RegExp(`${code}[\\s\\S]*${code}`)); // printed once, never logged
  });

  test("a code printed before an --owner was given stops working, and its file goes", async () => {
    const data = join(dir.path, "later-owner");
    let code: string;
    {
      await using first = serve(data);
      code = (await first.waitFor(/\/start ([A-Za-z0-9_-]{22})\n/, "the setup code"))[1]!;
    }
    await using relay = serve(data, "--owner", "6009");
    await relay.waitFor(/polling for messages/);
    expect(relay.stdout).not.toContain("/start");
    expect(existsSync(join(data, "setup-code"))).toBe(false);
    telegram.userText(6010, `/start ${code}`);
    await telegram.waitFor(() => texts(6010).length === 1, { message: "the refusal" });
    expect(texts(6010)).toEqual(["Sorry, this is a private bot."]);
  });

  test("a corrupt database stops the relay with a clear error and is left untouched", async () => {
    const data = join(dir.path, "corrupt");
    mkdirSync(data);
    const garbage = Buffer.from("SQLite format 3\0".padEnd(8192, "garbage "));
    writeFileSync(join(data, "relay.db"), garbage);
    await using relay = serve(data);
    expect(await relay.exitCode()).toBe(74);
    expect(relay.stderr).toContain(`cannot open the database ${join(data, "relay.db")}`);
    expect(relay.stderr).toContain("ra never replaces it");
    expect(relay.stdout).not.toContain("/start");
    expect(readFileSync(join(data, "relay.db")).equals(garbage)).toBe(true);
    expect(existsSync(join(data, "setup-code"))).toBe(false);
  });

  test("an unreadable database is an error too, not a fresh install", async () => {
    const data = join(dir.path, "unreadable");
    mkdirSync(join(data, "relay.db"), { recursive: true }); // a directory where the file should be
    await using relay = serve(data);
    expect(await relay.exitCode()).toBe(74);
    expect(relay.stderr).toContain("cannot open the database");
    expect(existsSync(join(data, "setup-code"))).toBe(false);
  });

  test("a data dir others can read is made private at start: the folder 0700, the database and its -wal/-shm 0600", async () => {
    const data = join(dir.path, "open-to-all");
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(join(data, "relay.db"), "", { mode: 0o644 });
    chmodSync(join(data, "relay.db"), 0o644);
    {
      await using relay = serve(data);
      await relay.waitFor(/\/start [A-Za-z0-9_-]{22}\n/, "the setup code");
      expect(relay.stderr).toContain(`the relay's data folder ${data} was readable by others (mode 0755); made it 0700`);
      const modes = Object.fromEntries(readdirSync(data).map((f) => [f, statSync(join(data, f)).mode & 0o777]));
      expect(modes).toEqual({ "relay.db": 0o600, "relay.db-wal": 0o600, "relay.db-shm": 0o600, "setup-code": 0o600, "web-signing-key": 0o600 });
      expect(statSync(data).mode & 0o777).toBe(0o700);
    }
    const fresh = join(dir.path, "fresh");
    await using relay = serve(fresh);
    await relay.waitFor(/\/start [A-Za-z0-9_-]{22}\n/, "the setup code");
    expect(readdirSync(fresh).map((f) => [f, statSync(join(fresh, f)).mode & 0o777])).toEqual(readdirSync(fresh).map((f) => [f, 0o600]));
    expect(relay.stderr).not.toContain("readable by others");
  });
});
