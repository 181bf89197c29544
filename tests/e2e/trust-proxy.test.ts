// Behind a reverse proxy every peer is the proxy: with --trust-proxy the relay takes the client's
// address from X-Forwarded-For, so per-address pairing limits and the pairing card see real clients.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PROTOCOL_VERSION, type RelayFrame } from "../../src/proto";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ serveArgs: ["--trust-proxy", "127.0.0.1"] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const facts = { hostname: "far-away", os: "linux", arch: "x64", user: "someone", agentVersion: "0.1.0" };

/** A machine asking to pair, as if through the proxy for `client`; resolves with the relay's first answer. */
function askToPair(client: string, name: string): Promise<{ ws: WebSocket; frame: RelayFrame }> {
  const ws = new WebSocket(stack.relayUrl.replace(/^http/, "ws") + "/ws/pair", { headers: { "X-Forwarded-For": `10.9.9.9, ${client}` } } as unknown as string[]);
  return new Promise((resolve, reject) => {
    ws.onopen = () => ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: "pair.hello", name, facts, fingerprint: "ABCD-EFGH" }));
    ws.onmessage = (e) => resolve({ ws, frame: JSON.parse(String(e.data)) as RelayFrame });
    ws.onerror = () => reject(new Error("the pairing socket failed"));
  });
}

describe("--trust-proxy", () => {
  test("pairing limits count real client addresses, and the card shows where the machine really is", async () => {
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const { ws, frame } = await askToPair("203.0.113.9", `box${i}`);
        open.push(ws);
        expect(frame.type).toBe("pair.code");
      }
      const fourth = await askToPair("203.0.113.9", "box3");
      open.push(fourth.ws);
      expect(fourth.frame).toMatchObject({ type: "pair.rejected", reason: "too many machines from this address are waiting to pair; finish or cancel those first" });
      // Someone else behind the same proxy is not blocked by them.
      const other = await askToPair("203.0.113.10", "desk");
      open.push(other.ws);
      expect(other.frame.type).toBe("pair.code");
      const code = (other.frame as Extract<RelayFrame, { type: "pair.code" }>).code;
      stack.telegram.userText(OWNER, `/pair ${code}`);
      await stack.waitForText(/^Pair this machine\?\nMachine: desk\n[\s\S]*From: 203\.0\.113\.10\n/, "the card with the real address");
    } finally {
      for (const ws of open) ws.close();
    }
  });
});
