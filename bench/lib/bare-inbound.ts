// The baseline for bench/inbound.ts: the least a relay must do between Telegram and a machine,
// written bare on Bun. It long-polls getUpdates, stores each update in sqlite (WAL, one commit)
// and waits for the log's fdatasync off the event loop, as the relay does, then sends the prompt
// frame. Like the relay, it asks for more updates only then: the next offset tells Telegram to
// forget them. A machine's event is stored the same way before its ack. No bot framework, no
// validation, no conversations, no Telegram messages. Prints "listening PORT" once it accepts
// connections. Run by the bench: `bun bench/lib/bare-inbound.ts API_ROOT TOKEN DB_PATH`.
import { Database } from "bun:sqlite";
import { fdatasync, openSync } from "node:fs";
import type { ServerWebSocket } from "bun";
import { PROTOCOL_VERSION as v } from "../../src/proto/version";

const [apiRoot, token, dbPath] = process.argv.slice(2) as [string, string, string];
const db = new Database(dbPath, { create: true });
db.exec("PRAGMA journal_mode = WAL");
db.exec("PRAGMA synchronous = NORMAL");
db.exec("CREATE TABLE IF NOT EXISTS updates (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
db.exec("CREATE TABLE IF NOT EXISTS events (session TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (session, seq))");
const insertUpdate = db.prepare("INSERT OR IGNORE INTO updates (id, body) VALUES (?, ?)");
const insertEvent = db.prepare("INSERT OR IGNORE INTO events (session, seq, body) VALUES (?, ?, ?)");
const wal = openSync(`${dbPath}-wal`, "r");
const durable = (write: () => void, then: () => void) => {
  db.transaction(write)();
  fdatasync(wal, (err) => {
    if (err) throw err;
    then();
  });
};

let machine: ServerWebSocket<unknown> | undefined;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("websocket only", { status: 400 })),
  websocket: {
    open: (ws) => void (machine = ws),
    message(ws, data) {
      const raw = String(data);
      const frame = JSON.parse(raw) as { type: string; sessionId?: string; seq?: number };
      if (frame.type === "hello") ws.send(JSON.stringify({ v, type: "welcome", deviceId: "bare", name: "bare", serverTime: Date.now(), acks: [], approvalTimeoutMs: 60_000 }));
      else if (frame.type === "event") durable(() => insertEvent.run(frame.sessionId!, frame.seq!, raw), () => ws.send(JSON.stringify({ v, type: "ack", sessionId: frame.sessionId, seq: frame.seq })));
    },
  },
});
console.log(`listening ${server.port}`);

let offset = 0;
let turn = 0;
for (;;) {
  const res = await fetch(`${apiRoot}/bot${token}/getUpdates`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ offset, timeout: 30 }) });
  const { result } = (await res.json()) as { result: { update_id: number; message?: { text?: string } }[] };
  const stored = result.map((update) => {
    const text = update.message?.text ?? "";
    const turnId = `t${turn++}`;
    return new Promise<void>((resolve) => durable(() => insertUpdate.run(update.update_id, JSON.stringify(update)), () => (machine?.send(JSON.stringify({ v, type: "prompt", sessionId: "s1", turnId, text, mode: "default" })), resolve())));
  });
  await Promise.all(stored);
  if (result.length > 0) offset = result.at(-1)!.update_id + 1;
}
