import { RedisClient } from "bun";
import { ExitCode, RaError } from "../../errors";
import { withoutPassword } from "../without-password";

export type OpenedRedis = {
  client: RedisClient;
  /** For the connections a blocking read needs of its own. */
  url: string;
  /** The URL without its password, for the log. */
  where: string;
  close(): void;
};

const HINT = "check that Redis runs and that the URL's host, port and password are right (--redis or RA_REDIS_URL)";

/**
 * Connects to Redis (ra serve --redis) and checks it answers. Unreachable or refused at start: a
 * clear error with exit 69, so a service manager retries later. Once running, the client
 * reconnects by itself when the connection drops.
 */
export async function openRedis(url: string, connectTimeoutMs = 10_000): Promise<OpenedRedis> {
  const where = withoutPassword(url);
  // A reconnecting client would retry for half a minute before it gives up: ask once, plainly.
  const probe = new RedisClient(url, { connectionTimeout: connectTimeoutMs, autoReconnect: false });
  try {
    await probe.send("PING", []);
  } catch (cause) {
    throw new RaError("redis_unreachable", `cannot reach Redis at ${where}: ${(cause as Error).message}`, { hint: HINT, exitCode: ExitCode.unavailable, cause });
  } finally {
    probe.close();
  }
  const client = new RedisClient(url, { connectionTimeout: connectTimeoutMs });
  return { client, url, where, close: () => client.close() };
}
