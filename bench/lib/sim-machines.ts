// Many paired machines for a bench: rows as `ra pair` leaves them in the relay's database (a
// devices row holding the SHA-256 of the token), each with an open session and a finished turn
// that its events name (the relay stores events only for a known session and turn, and a finished
// turn keeps Telegram out of the figures), and a simulated agent for each (bench/lib/sim-agent.ts).
import { Database } from "bun:sqlite";
import { SimAgent, type SimAgentCounters } from "./sim-agent";

export function simMachines(dbPath: string, options: { count: number; owner: number; prefix: string; url: string; counters: SimAgentCounters }): SimAgent[] {
  const { count, owner, prefix } = options;
  const tokens = Array.from({ length: count }, (_, i) => `ra_dev_${prefix}${String(i).padStart(6, "0")}${crypto.randomUUID().replaceAll("-", "")}`);
  const db = new Database(dbPath);
  db.run("PRAGMA busy_timeout = 5000");
  const now = Date.now();
  const addDevice = db.prepare("INSERT INTO devices (id, name, owner_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)");
  const addSession = db.prepare("INSERT INTO sessions (id, device_id, chat_id, created_at) VALUES (?, ?, ?, ?)");
  const addTurn = db.prepare("INSERT INTO turns (id, session_id, chat_id, prompt, status, created_at, ended_at) VALUES (?, ?, ?, 'bench', 'done', ?, ?)");
  db.transaction(() => {
    tokens.forEach((token, i) => {
      addDevice.run(`${prefix}-${i}`, `${prefix}-${i}`, owner, new Bun.CryptoHasher("sha256").update(token).digest("hex"), now);
      addSession.run(`s-${prefix}-${i}`, `${prefix}-${i}`, owner, now);
      addTurn.run(`t-${prefix}-${i}`, `s-${prefix}-${i}`, owner, now, now);
    });
  })();
  db.close();
  return tokens.map((token, i) => new SimAgent(options.url, token, `s-${prefix}-${i}`, `t-${prefix}-${i}`, options.counters));
}

/** Resolves when `done()` holds, checked again whenever an agent is welcomed or acknowledged; false after `limitMs`. */
export function untilAgents(agents: SimAgent[], done: () => boolean, limitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      for (const a of agents) a.onProgress = () => {};
      resolve(ok);
    };
    const timer = setTimeout(() => finish(done()), limitMs);
    for (const a of agents) a.onProgress = () => done() && finish(true);
    if (done()) finish(true);
  });
}

export const allOnline = (list: SimAgent[]) => list.every((a) => a.online);

/** Dials them `atOnce` at a time, each batch once the one before is welcomed; throws when one is not within `limitMs`. */
export async function connectAll(agents: SimAgent[], atOnce: number, limitMs: number, context: () => string = () => ""): Promise<void> {
  for (let i = 0; i < agents.length; i += atOnce) {
    const batch = agents.slice(i, i + atOnce);
    batch.forEach((a) => a.dial());
    if (!(await untilAgents(agents, () => allOnline(batch), limitMs))) throw new Error(`agents ${i}..${i + batch.length - 1} were not welcomed within ${limitMs / 1000} s\n${context()}`);
  }
}
