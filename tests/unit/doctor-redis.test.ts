// `ra doctor --serve` with Redis: the check against a real redis-server, one that is not there (the
// password never shown), and one stopped and started again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { checkRedis } from "../../src/doctor/redis";
import { freePort } from "../helpers/free-port";
import { startRedis } from "../helpers/real-servers";

let redis: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

describe("the Redis check", () => {
  test("reachable: ok with its version and the URL", async () => {
    const result = await checkRedis(redis.url);
    expect(result).toMatchObject({ check: "redis", status: "ok" });
    expect(result.message).toMatch(new RegExp(`^Redis \\d+\\.\\d+\\.\\d+ at redis://127\\.0\\.0\\.1:${redis.port}$`));
  });

  test("unreachable: failed, saying what to check, with the password masked", async () => {
    const result = await checkRedis(`redis://:hunter2secret@127.0.0.1:${freePort()}`, 2);
    expect(result.status).toBe("fail");
    expect(result.message).toStartWith("cannot reach Redis at redis://:***@127.0.0.1:");
    expect(JSON.stringify(result)).not.toContain("hunter2secret");
    expect(result.fix).toContain("--redis or RA_REDIS_URL");
  });

  test("stopped while it was fine: the next check fails, and passes again once it is back", async () => {
    await redis.stop();
    expect((await checkRedis(redis.url, 2)).status).toBe("fail");
    await redis.start();
    expect((await checkRedis(redis.url)).status).toBe("ok");
  });
});
