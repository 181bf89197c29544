// The agent holds a conversation only while it has a claude (`--idle-timeout 1`), through the
// compiled binary and the real claude CLI: once the idle claude ended, the agent's persisted
// sessions file no longer holds the conversation, the next prompt still continues it with its
// context (the relay sends the claude session with every prompt), and the revived turn reports its
// own cost (a --resume'd claude counts its total from 0 again).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { conversationText } from "../fakes/model-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

let stack: Stack;
const data = tmpDir("ra-agent-data-");
beforeAll(async () => {
  stack = await startStack({ agentArgs: ["--idle-timeout", "1", "--data-dir", data.path] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await data[Symbol.asyncDispose]();
});

/** The conversation ids the agent keeps in its data dir. */
const persisted = () => {
  const file = join(data.path, "sessions.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { sessionId: string }[]).map((s) => s.sessionId) : [];
};
const relaySessions = () => {
  const db = new Database(join(stack.relayDir, "relay.db"), { readonly: true });
  try {
    return db.query("SELECT id, number, closed_at AS closedAt FROM sessions ORDER BY number").all() as { id: string; number: number; closedAt: number | null }[];
  } finally {
    db.close();
  }
};
/** The cost a finished turn's status line shows. */
const costOf = (text: string) => Number(/✅ laptop · [\d.]+ s · \$(\d+\.\d{4})/.exec(text)?.[1]);

describe("bounded agent records", () => {
  test("an idle claude that ended leaves nothing in the agent's sessions file; the next prompt continues the conversation with its context and its own cost", async () => {
    stack.model.enqueue({ blocks: [{ text: "Noted: giraffe." }], outputTokens: 4000 });
    stack.telegram.userText(OWNER, "remember the word giraffe");
    await stack.messageWith(/Noted: giraffe\.[\s\S]*✅ laptop/);
    await stack.agent.waitFor(/claude was idle for 1 s and is ended/, "the idle claude to end");
    const [first] = relaySessions();
    expect(first!.closedAt).toBeNull();
    await stack.telegram.waitFor(() => !persisted().includes(first!.id), { timeoutMs: 30_000, message: "the agent to forget the idle conversation" });
    expect(persisted()).toEqual([]);

    const seen = stack.model.requests.length;
    stack.model.enqueue({ blocks: [{ text: "It was giraffe." }], outputTokens: 2000 });
    stack.telegram.userText(OWNER, "which word was it?");
    const request = await stack.model.waitForRequest(seen + 1);
    expect(conversationText(request)).toContain("remember the word giraffe");
    expect(conversationText(request)).toContain("Noted: giraffe.");
    const revived = await stack.messageWith(/It was giraffe\.[\s\S]*✅ laptop/);
    expect(stack.agent.output).toMatch(/starting claude with --resume [0-9a-f-]{36}/);

    // The same reply in a fresh claude of a new conversation costs what the revived turn must cost.
    stack.telegram.userText(OWNER, "/new");
    await stack.waitForText(/Fresh conversation with laptop \(#2/);
    stack.model.enqueue({ blocks: [{ text: "Fresh one." }], outputTokens: 2000 });
    stack.telegram.userText(OWNER, "a fresh conversation");
    const fresh = await stack.messageWith(/Fresh one\.[\s\S]*✅ laptop/);
    expect(costOf(fresh.text!)).toBeGreaterThan(0);
    expect(costOf(revived.text!)).toBe(costOf(fresh.text!));
  });
});
