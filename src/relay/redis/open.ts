import { RedisClient } from "bun";
import { ExitCode, RaError } from "../../errors";
import { withoutPassword } from "../../without-password";

export type OpenedRedis = {
  client: RedisClient;
  /** For the connections a blocking read needs of its own. */
  url: string;
  /** The URL without its password, for the log. */
  where: string;
  close(): void;
};

/**
 * Connects to Redis (ra serve --redis) and checks it answers. Unreachable or refused at start: a
 * clear error with exit 69, so a service manager retries later. Once running, the client
 * reconnects by itself whenever the connection drops, for as long as it takes.
 */
export async function openRedis(url: string, connectTimeoutMs = 10_000): Promise<OpenedRedis> {
  const where = withoutPassword(url);
  // A reconnecting client would retry for half a minute before it gave up: ask once, plainly.
  const probe = new RedisClient(url, { connectionTimeout: connectTimeoutMs, autoReconnect: false });
  try {
    await probe.send("PING", []);
  } catch (cause) {
    throw unreachable(where, cause);
  } finally {
    probe.close();
  }
  // Bun's default gives up after 10 reconnection attempts and then fails every command for good, and
  // until then holds each command for half a minute. This one keeps reconnecting (its backoff is
  // capped at a few seconds), and a command while Redis is away fails at once, so the caller can
  // refuse and say so.
  const client = new RedisClient(url, { connectionTimeout: connectTimeoutMs, maxRetries: 2 ** 32 - 1, enableOfflineQueue: false });
  try {
    await client.connect();
  } catch (cause) {
    client.close();
    throw unreachable(where, cause);
  }
  return { client, url, where, close: () => client.close() };
}

const unreachable = (where: string, cause: unknown) =>
  new RaError("redis_unreachable", `cannot reach Redis at ${where}: ${(cause as Error).message}`, {
    hint: "check that Redis runs and that the URL's host, port and password are right (--redis or RA_REDIS_URL)",
    exitCode: ExitCode.unavailable,
    cause,
  });
