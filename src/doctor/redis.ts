import { RedisClient } from "bun";
import { withoutPassword } from "../without-password";
import { fail, ok, type CheckResult } from "./check";

/** The Redis relays share their limits in (ra serve --redis): reachable with these credentials, and its version. */
export async function checkRedis(url: string, timeoutSeconds = 5): Promise<CheckResult> {
  const where = withoutPassword(url);
  const client = new RedisClient(url, { connectionTimeout: timeoutSeconds * 1000, autoReconnect: false });
  try {
    await client.send("PING", []);
    const version = String(await client.send("INFO", ["server"])).match(/redis_version:(\S+)/)?.[1];
    return ok("redis", `Redis ${version ?? "(version unknown)"} at ${where}`);
  } catch (err) {
    return fail("redis", `cannot reach Redis at ${where}: ${(err as Error).message}`, "check that Redis runs and that the URL's host, port and password are right (--redis or RA_REDIS_URL)");
  } finally {
    client.close();
  }
}
