// Secret masking and size limits end to end: the compiled relay and agent, the real claude CLI
// against the fake model, and the fake Bot API recording every call the relay makes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_TEXT_EVENT_CHARS } from "../../src/proto";
import { pairFromTelegram } from "../helpers/pairing";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const FACTS = { hostname: "rogue-host", os: "linux", arch: "x64", user: "u", agentVersion: "0.0.0" };

/** A raw WebSocket peer that records frames and resolves waits as they arrive. */
async function rawPeer(path: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${stack.relayUrl.replace(/^http/, "ws")}${path}`, { headers } as unknown as string[]);
  const frames: Record<string, any>[] = [];
  type Frame = Record<string, any>;
  const waiters: { match: (f: Frame) => boolean; after: number; resolve: (f: Frame) => void }[] = [];
  ws.onmessage = (e) => {
    frames.push(JSON.parse(String(e.data)));
    for (const w of waiters.splice(0)) {
      const found = frames.slice(w.after).find(w.match);
      if (found) w.resolve(found);
      else waiters.push(w);
    }
  };
  /** The first frame after the first `after` frames that `match` accepts. */
  const next = (match: (f: Frame) => boolean, after = 0) =>
    new Promise<Frame>((resolve) => {
      const found = frames.slice(after).find(match);
      if (found) resolve(found);
      else waiters.push({ match, after, resolve });
    });
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = () => reject(new Error(`cannot open ${path}`)))));
  return {
    frames,
    send: (frame: Record<string, unknown>) => ws.send(JSON.stringify({ v: 1, ...frame })),
    next,
    /** The first frame of `type` after the first `after` frames. */
    nextOf: (type: string, after = 0) => next((f) => f.type === type, after),
    close: () => ws.close(),
  };
}

describe("secrets and sizes through the compiled binary", () => {
  test("a key cut by chunk boundaries never reaches Telegram in part; the final answer shows it masked", async () => {
    const key = "sk-ant-api03-Zq9Wc2Lm8Rt5Yp1Xv7Bn3Kd6Hs4Jf0Ga";
    const pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAopenssh\nAAAAC3NzaC1lZDI1NTE5\n-----END OPENSSH PRIVATE KEY-----";
    const before = stack.telegram.calls.length;
    stack.model.enqueue([{ text: `Your key: ${key} and the deploy key:\n${pem}\nThat is all for now.`, chunkSize: 7, delayMs: 60 }]);
    stack.telegram.userText(OWNER, "show me the keys");
    await stack.waitForText(/That is all for now\.[\s\S]*✅ laptop/);
    const sent = stack.telegram.calls.slice(before).map((c) => JSON.stringify(c));
    // The answer streamed (edits before the end carried its start)…
    expect(sent.filter((c) => c.includes("Your key:") && !c.includes("✅")).length).toBeGreaterThan(0);
    // …and no call ever carried a piece of either key.
    for (const c of sent) {
      expect(c).not.toContain("sk-ant");
      expect(c).not.toContain("b3Blbn");
    }
    const final = stack.texts().find((t) => t.includes("That is all for now."))!;
    expect(final).toContain("Your key: sk-a…[masked] and the deploy key:\n-----BEGIN OPENSSH PRIVATE KEY----- …[masked]\nThat is all for now.");
  });

  test("a device name or hostname with newlines and escape codes is logged escaped, on one line", async () => {
    const peer = await rawPeer("/ws/pair");
    peer.send({ type: "pair.hello", name: "evil\n12:00:00 INFO  [relay] forged", facts: { ...FACTS, hostname: "h\u001b[2J" } });
    await peer.nextOf("pair.code");
    await stack.serve.waitFor(/machine .*evil.* is waiting to pair/);
    expect(stack.serve.output).toContain('machine "evil\\n12:00:00 INFO  [relay] forged" ("h\\u001b[2J") is waiting to pair');
    expect(stack.serve.output).not.toContain("\n12:00:00 INFO  [relay] forged");
    expect(stack.serve.output).not.toContain("\u001b[2J");
    peer.close();
  });

  test("a hostile agent's oversized text event is refused with an error frame and never shown; its other events and other machines carry on", async () => {
    await using dir = tmpDir();
    const config = join(dir.path, "c.json");
    {
      await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "rogue", "--config", config]);
      await pairFromTelegram(stack.telegram, OWNER, pair);
      expect(await pair.exitCode()).toBe(0);
    }
    const { token } = JSON.parse(readFileSync(config, "utf8")) as { token: string };
    const rogue = await rawPeer("/ws/agent", { Authorization: `Bearer ${token}` });
    rogue.send({ type: "hello", facts: FACTS, sessions: [] });
    await rogue.nextOf("welcome");
    stack.telegram.userText(OWNER, "@rogue say something");
    const prompt = await rogue.nextOf("prompt");
    const event = (seq: number, e: Record<string, unknown>) => rogue.send({ type: "event", sessionId: prompt.sessionId, seq, at: Date.now(), event: { turnId: prompt.turnId, ...e } });
    event(0, { kind: "turn.started" });
    const seen = rogue.frames.length;
    event(1, { kind: "text", text: `HUGE${"A".repeat(MAX_TEXT_EVENT_CHARS)}` });
    const refusal = await rogue.nextOf("error", seen);
    expect(refusal).toMatchObject({ code: "bad_frame" });
    expect(refusal.message).toContain(`text event longer than ${MAX_TEXT_EVENT_CHARS} characters; it was refused`);
    event(2, { kind: "text", text: "Only this part is shown. " });
    event(3, { kind: "turn.ended", status: "done", durationMs: 5 });
    await stack.waitForText(/Only this part is shown\.[\s\S]*✅ rogue/);
    expect(stack.telegram.calls.some((c) => JSON.stringify(c).includes("HUGEAAAA"))).toBe(false);
    // Acknowledged past the refused event: a replay after a reconnect does not send it again.
    await rogue.next((f) => f.type === "ack" && f.seq === 3, seen);
    stack.telegram.userText(OWNER, "@laptop still there?");
    await stack.waitForText(/echo: still there\?[\s\S]*✅ laptop/);
    rogue.close();
  });
});
