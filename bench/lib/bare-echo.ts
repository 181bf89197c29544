// The baseline for bench/hub-throughput.ts: a bare Bun.serve WebSocket that does the least a relay
// must (parse each frame, answer an event with its ack) and nothing else: no validation, no
// storage. Prints "listening PORT" once it accepts connections.
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("websocket only", { status: 400 })),
  websocket: {
    message(ws, data) {
      const frame = JSON.parse(String(data)) as { type: string; sessionId?: string; seq?: number };
      if (frame.type === "hello") ws.send(JSON.stringify({ v: 1, type: "welcome", acks: [] }));
      else if (frame.type === "event") ws.send(JSON.stringify({ v: 1, type: "ack", sessionId: frame.sessionId, seq: frame.seq }));
    },
  },
});
console.log(`listening ${server.port}`);
