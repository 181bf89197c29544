// Real Postgres and Redis servers (Debian's packages) for the tests: each on a free loopback port,
// in its own temporary folder, stopped and removed when disposed (`await using pg = await startPostgres()`).
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";

const PG_BIN = (() => {
  const root = "/usr/lib/postgresql";
  const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  return version ? join(root, version, "bin") : undefined;
})();

const isRoot = process.getuid?.() === 0;

function run(argv: string[], what: string): void {
  const done = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (done.exitCode !== 0) throw new Error(`${what} failed (exit ${done.exitCode}): ${argv.join(" ")}\n${done.stdout}${done.stderr}`);
}

/** Postgres refuses to run as root: as root the server runs as the `postgres` user the package created. */
const asPostgres = (argv: string[]) => (isRoot ? ["runuser", "-u", "postgres", "--", ...argv] : argv);

export type RealServer = { url: string; port: number; [Symbol.asyncDispose](): Promise<void> };

/** A throwaway Postgres 15 cluster with a trust login `ra`; its URL names the `postgres` database. */
export async function startPostgres(): Promise<RealServer & { createDatabase(name: string): Promise<string> }> {
  if (!PG_BIN) throw new Error("Postgres is not installed: sudo apt-get install postgresql (scripts/test-deps.sh does it as root)");
  const dir = mkdtempSync(join(tmpdir(), "ra-pg-"));
  if (isRoot) chownSync(dir, Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString()), Number(Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString()));
  const port = freePort();
  run(asPostgres([join(PG_BIN, "initdb"), "-D", join(dir, "db"), "-A", "trust", "-U", "ra", "--no-sync"]), "initdb");
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  run(asPostgres([join(PG_BIN, "pg_ctl"), "-D", join(dir, "db"), "-l", join(dir, "log"), "-o", options, "-w", "start"]), "pg_ctl start");
  const url = `postgres://ra@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(name: string) {
      const sql = new Bun.SQL(url);
      try {
        await sql.unsafe(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
      } finally {
        await sql.close();
      }
      return `postgres://ra@127.0.0.1:${port}/${name}`;
    },
    async [Symbol.asyncDispose]() {
      Bun.spawnSync(asPostgres([join(PG_BIN, "pg_ctl"), "-D", join(dir, "db"), "-m", "immediate", "-w", "stop"]), { stdout: "ignore", stderr: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A throwaway Redis without persistence; `stop()` ends it early (a fault test), dispose also removes its folder. */
export async function startRedis(): Promise<RealServer & { stop(): Promise<void>; start(): Promise<void> }> {
  if (!Bun.which("redis-server")) throw new Error("Redis is not installed: sudo apt-get install redis-server (scripts/test-deps.sh does it as root)");
  const dir = mkdtempSync(join(tmpdir(), "ra-redis-"));
  const port = freePort();
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  const start = async () => {
    proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "pipe", stderr: "pipe" });
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    while (!/Ready to accept connections/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`redis-server exited before it was ready:\n${seen}`);
      seen += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    void (proc.stdout as ReadableStream<Uint8Array>).pipeTo(new WritableStream());
  };
  const stop = async () => {
    if (!proc) return;
    proc.kill("SIGKILL");
    await proc.exited;
    proc = undefined;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, async [Symbol.asyncDispose]() { await stop(); rmSync(dir, { recursive: true, force: true }); } };
}
