// ra serve --database postgres://… --redis redis://…, through the compiled binary against real
// servers: answers stream with the chat's calls paced through Redis; the pairing lockout is kept in Redis, so it outlives a kill -9 of the relay (in memory
// it would not); Redis lost while running refuses pairing and sign-in with a reason. Redis
// unreachable at start: exit 69, password masked. The port taken at start: exit 69, the process
// gone. --redis alone: a usage error.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { join } from "node:path";
import { freePort } from "../helpers/free-port";
import { RaProcess } from "../helpers/ra-process";
import { startPostgres, startRedis } from "../helpers/real-servers";
import { OWNER, startStack, TOKEN, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";
import { postLogin } from "../helpers/web-client";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let redis: Awaited<ReturnType<typeof startRedis>>;
let client: RedisClient;
let url: string;
let stack: Stack;
beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  url = await pg.createDatabase("relay");
  client = new RedisClient(redis.url);
  stack = await startStack({ serveArgs: ["--database", url, "--redis", redis.url] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  client?.close();
  await redis?.[Symbol.asyncDispose]();
  await pg?.[Symbol.asyncDispose]();
});

const LOCKED = /^Too many wrong codes\. Pairing is locked for you until \d\d:\d\d UTC\.$/;

describe("ra serve --redis", () => {
  test("the 5th wrong code locks the owner out in Redis, and the lockout survives a kill -9 of the relay", async () => {
    expect(stack.serve.output).toContain(`limits and chat pacing shared in Redis at ${redis.url}`);
    const answers = () => stack.texts().filter((t) => /^(That code|Too many)/.test(t));
    for (let i = 1; i <= 5; i++) {
      stack.telegram.userText(OWNER, `/pair BCDFG-HJKL${"MNPQR"[i - 1]}`);
      await stack.telegram.waitFor(() => answers().length === i, { message: `answer ${i}` });
    }
    expect(answers().at(-1)).toMatch(LOCKED);
    const lock = `ra:limit:pair:lock:${OWNER}`;
    expect(Number(await client.get(lock))).toBeGreaterThan(Date.now());
    expect(Number(await client.send("PTTL", [lock]))).toBeGreaterThan(0);

    await stack.crashAndRestartServe();
    await using dir = tmpDir();
    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "late", "--config", join(dir.path, "late.json")]);
    const code = (await pair.waitFor(/\/pair ([A-Z]{5}-[A-Z]{5})/, "the pairing code"))[1]!;
    stack.telegram.userText(OWNER, `/pair ${code}`);
    await stack.telegram.waitFor(() => answers().length === 6, { message: "the answer to a right code" });
    expect(answers().at(-1)).toMatch(LOCKED);
  });

  test("a prompt's answer streams back while the chat's Bot API calls take turns through Redis", async () => {
    stack.telegram.userText(OWNER, "hello redis");
    await stack.waitForText(/echo: hello redis[\s\S]*✅ laptop/);
    // The chat's floor (the earliest next call, for whichever relay calls next) was raised by the calls and expires by itself.
    const floor = `ra:chat:${OWNER}:next`;
    expect(Number(await client.get(floor))).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(await client.send("PTTL", [floor]))).toBeGreaterThan(0);
  });

  test("Redis lost while running: /healthz answers 503 naming it, the relay stops taking Telegram updates (it cannot hold the bot's lead) and machines, and refuses web sign-in, saying why; once Redis is back the update waiting is handled and the machine is back", async () => {
    const health = async () => {
      const res = await fetch(`${stack.relayUrl}/healthz`);
      return { status: res.status, body: (await res.json()) as { ok: boolean; down?: string[]; message?: string } };
    };
    expect((await health()).status).toBe(200);
    await redis.stop();
    let before = 0;
    let connectedBefore = 0;
    const connects = () => stack.agent.output.match(/connected to .* as "laptop"/g)!.length;
    try {
      await stack.serve.waitFor(/lost Redis \(.*\): \/healthz answers 503 until it is back/, "the health check noticing Redis is gone");
      expect(await health()).toEqual({ status: 503, body: expect.objectContaining({ ok: false, down: ["Redis"], message: "this relay cannot reach Redis; it is waiting for it to come back" }) });
      await stack.serve.waitFor(/lost the lead of the Telegram bot/, "the relay letting go of the bot");
      await stack.serve.waitFor(/lost this relay instance's lease/, "the relay leaving the others");
      connectedBefore = connects();
      // Its machines are sent away to reconnect where Redis is reachable; this relay takes none meanwhile.
      await stack.agent.waitFor(/cannot reach the relay at/, "the agent to be refused while Redis is lost");
      before = stack.texts().length;
      stack.telegram.userText(OWNER, "/pair BCDFG-HJKLM");
      const res = await postLogin(stack.relayUrl, { code: "BCDFG-HJKLM" });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("Sign-in is unavailable right now: the relay cannot reach Redis");
      expect(stack.texts().length).toBe(before);
    } finally {
      await redis.start();
    }
    await stack.serve.waitFor(/Redis is back/, "the health check seeing Redis again");
    await stack.serve.waitFor(/this relay instance is back among the others in Redis/, "the relay taking its place again");
    expect((await health()).status).toBe(200);
    await stack.agent.waitFor(new RegExp(`(connected to .* as "laptop"[\\s\\S]*){${connectedBefore + 1}}`), "the agent to connect again");
    // The /pair sent meanwhile waited at Telegram and is answered now, once (this test's Redis restarts empty: no lockout any more).
    await stack.telegram.waitFor(() => stack.texts().length === before + 1, { message: "the answer to the /pair that waited" });
    expect(stack.texts().at(-1)).toStartWith("That code is not valid.");
  });

  test("Redis unreachable at start: exit 69, saying so, without the password", async () => {
    await using dir = tmpDir();
    await using serve = new RaProcess(["serve", "--bot-token", TOKEN, "--data-dir", dir.path, "--listen", "127.0.0.1:0", "--database", url, "--redis", `redis://:hunter2secret@127.0.0.1:${freePort()}`]);
    expect(await serve.exitCode()).toBe(69);
    expect(serve.stderr).toContain("cannot reach Redis at redis://:***@127.0.0.1:");
    expect(serve.stderr).toContain("--redis or RA_REDIS_URL");
    expect(serve.output).not.toContain("hunter2secret");
  });

  test("the port already taken at start: exit 69 saying which and what to do, with nothing left running (the shared event log's reader stops too)", async () => {
    await using dir = tmpDir();
    const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      await using serve = new RaProcess(["serve", "--bot-token", TOKEN, "--telegram-api-root", stack.telegram.url, "--data-dir", dir.path, "--listen", `127.0.0.1:${taken.port}`,
        "--database", await pg.createDatabase("taken"), "--redis", redis.url]);
      expect(await serve.exitCode()).toBe(69);
      expect(serve.stderr).toContain(`cannot listen on 127.0.0.1:${taken.port}`);
      expect(serve.stderr).toContain("pick a free port with --listen HOST:PORT");
    } finally {
      taken.stop(true);
    }
  });

  test("--redis without --database is a usage error that says why, before anything starts", async () => {
    await using dir = tmpDir();
    await using serve = new RaProcess(["serve", "--bot-token", TOKEN, "--data-dir", dir.path, "--listen", "127.0.0.1:0"], { env: { RA_REDIS_URL: `redis://:hunter2secret@127.0.0.1:${redis.port}` } });
    expect(await serve.exitCode()).toBe(2);
    expect(serve.stderr).toContain("--redis needs --database postgres://…");
    expect(serve.output).not.toContain("hunter2secret");
  });
});
