// A machine without claude that answers each prompt at once (turn.ended), so the next one runs:
// what the inbound benches connect to measure the relay alone. `seq` numbers each conversation's
// events and may be shared by several connections of one machine (the numbers go on).
import { encode, type AgentFrame, type RelayFrame } from "../../src/proto";

export async function answeringMachine(url: string, token: string, onPrompt: () => void, seq = new Map<string, number>()): Promise<{ close(): Promise<void> }> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => ws.send(encode<AgentFrame>({ type: "hello", facts: { hostname: "bench", os: "linux", arch: "x64", user: "bench", agentVersion: "bench" }, sessions: [] }));
    ws.onclose = (e) => reject(new Error(`the relay closed the machine's connection (${e.code} ${e.reason})`));
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as RelayFrame;
      if (frame.type === "welcome") resolve();
      else if (frame.type === "ping") ws.send(encode<AgentFrame>({ type: "pong", t: frame.t }));
      else if (frame.type === "prompt") {
        onPrompt();
        const next = seq.get(frame.sessionId) ?? 0;
        seq.set(frame.sessionId, next + 1);
        ws.send(encode<AgentFrame>({ type: "event", sessionId: frame.sessionId, seq: next, at: Date.now(), event: { kind: "turn.ended", turnId: frame.turnId, status: "done", durationMs: 1 } }));
      }
    };
  });
  return {
    close: () => {
      const closed = new Promise<void>((resolve) => (ws.onclose = () => resolve()));
      ws.close();
      return closed;
    },
  };
}
