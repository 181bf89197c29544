// The Redis connection ra serve --redis opens, against a real redis-server: unreachable at start is
// exit 69 with the password masked; lost while running, a command fails at once (so a limit can
// refuse and say so) and works again once Redis is back, however long it was away.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ExitCode, RaError } from "../../src/errors";
import { openRedis } from "../../src/relay/redis/open";
import { freePort } from "../helpers/free-port";
import { startRedis } from "../helpers/real-servers";

let redis: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

describe("openRedis", () => {
  test("unreachable at start: a RaError with exit 69, the password masked, and what to check", async () => {
    const error = await openRedis(`redis://:hunter2secret@127.0.0.1:${freePort()}`, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RaError);
    expect((error as RaError).exitCode).toBe(ExitCode.unavailable);
    expect((error as RaError).message).toStartWith("cannot reach Redis at redis://:***@127.0.0.1:");
    expect(`${(error as RaError).message}${(error as RaError).hint}`).not.toContain("hunter2secret");
    expect((error as RaError).hint).toContain("--redis or RA_REDIS_URL");
  });

  test("reachable: the masked URL for the log; lost while running, commands fail at once, and work again when it is back", async () => {
    const opened = await openRedis(redis.url);
    try {
      expect(opened.where).toBe(`redis://127.0.0.1:${redis.port}`);
      await opened.client.set("k", "1");
      await redis.stop();
      const started = performance.now();
      await expect(opened.client.get("k")).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(1000);
      const back = new Promise<void>((resolve) => (opened.client.onconnect = () => resolve()));
      await redis.start();
      await back;
      await opened.client.set("k", "2");
      expect(await opened.client.get("k")).toBe("2");
    } finally {
      opened.close();
    }
  });
});
