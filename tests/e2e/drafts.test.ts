// Native drafts (`ra serve --drafts`): in a private chat the answer streams as a sendMessageDraft
// with a Stop button, ends as a real message, the draft's Stop stops the turn, and any draft error
// falls back to edit streaming.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ serveArgs: ["--drafts"] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

describe("native drafts", () => {
  test("the answer streams as a stoppable draft and ends as one real message with the footer", async () => {
    const { telegram, model } = stack;
    const answer = "Streaming **as a draft**, piece by piece, until the answer is complete.";
    model.enqueue([{ text: answer, chunkSize: 6, delayMs: 30 }]);
    const before = telegram.chat(OWNER).length;
    telegram.userText(OWNER, "draft it");
    await stack.waitForText(/Streaming as a draft[\s\S]*✅ laptop/);
    const drafts = telegram.drafts(OWNER);
    expect(drafts.length).toBeGreaterThan(0);
    expect(drafts.every((d) => d.can_stop === true && d.draft_id === drafts[0]!.draft_id)).toBe(true);
    expect(drafts.some((d) => d.text.includes("Streaming"))).toBe(true);
    const turn = telegram.chat(OWNER).slice(before);
    expect(turn).toHaveLength(1);
    expect(turn[0]!.text).toContain("Streaming as a draft, piece by piece, until the answer is complete.");
    expect(turn[0]!.entities?.some((e) => e.type === "bold")).toBe(true);
    // No draft after the final message (it would linger as a ghost).
    const finalSend = telegram.callsTo("sendMessage").find((c) => String(c.payload.text).includes("✅ laptop"))!;
    expect(telegram.callsTo("sendMessageDraft").every((c) => c.seq < finalSend.seq)).toBe(true);
  });

  test("the draft's Stop button stops the turn like /stop", async () => {
    const { telegram, model } = stack;
    model.enqueue({ blocks: [{ text: "A long draft that the owner stops" }], stall: true });
    const seen = telegram.drafts(OWNER).length;
    telegram.userText(OWNER, "go on for a while");
    await model.waitForStall(1);
    const draft = await telegram.waitFor(() => telegram.drafts(OWNER).slice(seen).find((d) => d.text.includes("A long draft")), { message: "the draft" });
    telegram.stopDraft(OWNER, draft.draft_id);
    await stack.waitForText(/A long draft that the owner stops[\s\S]*⏹ stopped · laptop/, "the stopped footer");
    model.release();
  });

  test("when drafts fail, the answer streams by edits instead", async () => {
    const { telegram, model } = stack;
    telegram.injectFault("sendMessageDraft", { error_code: 400, description: "Bad Request: TEXTDRAFT_PEER_INVALID", count: Infinity });
    model.enqueue({ blocks: [{ text: "Fallback by edits" }], stall: true });
    const before = telegram.chat(OWNER).length;
    telegram.userText(OWNER, "try drafts");
    await model.waitForStall(2);
    // While still running, a real message shows the answer with its Stop button.
    const live = await telegram.waitFor(() => telegram.chat(OWNER).slice(before).find((m) => /Fallback by edits[\s\S]*⏳ laptop running/.test(m.text ?? "")), { message: "the edited live message" });
    expect((live.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text)).toContain("⏹ Stop");
    model.release();
    await stack.waitForText(/Fallback by edits[\s\S]*✅ laptop/);
    telegram.clearFaults("sendMessageDraft");
  });
});
