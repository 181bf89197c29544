// "A 2-minute fast stream causes zero 429s under Telegram's documented limits", proven with the
// relay's own streaming parts (turn view, live message, chat lane, typing, status refresh) against
// a Bot API that enforces those limits strictly, on a virtual clock. The schedule it proves: first
// words edited into the status message one second after it, edits in a row at the edit interval,
// an approval card and the next turn's first message one second after the last call, "typing…"
// only in a stall; in a group one call every 3 s. The same run with a 700 ms gap does break the
// limits: the simulation is strict.
import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { LiveMessage } from "../../src/relay/telegram/live-message";
import { Messenger } from "../../src/relay/telegram/messenger";
import { RetryAfter } from "../../src/relay/telegram/retry-after";
import { TurnView } from "../../src/relay/telegram/turn-view";
import { TurnWatch } from "../../src/relay/telegram/turn-watch";
import { TypingIndicator } from "../../src/relay/telegram/typing";
import { DocumentedLimits } from "../helpers/documented-limits";
import { recordingApi, type RecordedCall } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const log = createLog("test");
const DEFAULT_EDIT_INTERVAL_MS = 1200; // ra serve's default
const STREAM_MS = 120_000;
/** The agent goes quiet (a long tool run) for this stretch of the stream. */
const STALL = { from: 60_000, to: 75_000 };

function streamingTurn(chatId: number, clock: VirtualClock, messenger: Messenger, turnId: string) {
  const view = new TurnView({ turnId, deviceName: "laptop", live: new LiveMessage(messenger, chatId), now: () => clock.now() });
  view.started();
  const typing = new TypingIndicator(messenger, clock, chatId, { wanted: () => !view.waitingForApproval });
  const watch = new TurnWatch({ messenger, clock, chatId, turnId, view });
  return { view, typing, watch, chatId };
}

/** Two owners' chats stream at once for two minutes, then each starts a short second turn at once. */
async function simulate(editIntervalMs: number, chats = [1001, 1002]) {
  const clock = new VirtualClock();
  const limits = new DocumentedLimits();
  const rec = recordingApi(() => clock.now(), (method, p) => {
    const refused = limits.check(method, typeof p.chat_id === "number" ? p.chat_id : undefined, clock.now());
    if (refused) throw refused;
    return undefined;
  });
  const retryAfter = new RetryAfter(clock, log);
  rec.api.config.use(retryAfter.transformer);
  const messenger = new Messenger(rec.api, clock, editIntervalMs, log, retryAfter);

  const turns = chats.map((chat, i) => streamingTurn(chat, clock, messenger, `turn${i}`));
  let sent = "";
  // A chunk every 50 ms, the first at once (claude answers at once), a tool call every 10 s, an
  // approval card at 30 s, and a 15 s stall.
  for (let t = 0; t < STREAM_MS; t += 50) {
    if (t >= STALL.from && t < STALL.to) {
      await clock.advance(50);
      continue;
    }
    const chunk = `word${t / 50} `.repeat(3) + (t % 2000 === 0 ? "\n\n" : "");
    sent += chunk;
    for (const { view, typing } of turns) {
      view.appendMarkdown(chunk);
      typing.activity();
    }
    if (t % 10_000 === 0) {
      for (const { view } of turns) {
        view.toolStarted({ toolUseId: `u${t}`, name: "Bash", summary: `npm test -- --shard ${t / 10_000}` });
        view.toolFinished({ toolUseId: `u${t}`, isError: false, output: "ok" });
      }
    }
    if (t === 30_000) for (const chat of chats) void messenger.send(chat, { text: "laptop wants to run a command", entities: [] }, { urgent: true });
    await clock.advance(50);
  }
  for (const { view, typing, watch } of turns) {
    typing.stop();
    watch.stop();
    view.finish("done", { durationMs: STREAM_MS, costUsd: 0.5, turns: 3 });
  }
  let settled = false;
  void Promise.all(turns.map((turn) => turn.view.settled())).then(() => (settled = true));
  while (!settled) await clock.advance(50);
  // The owner writes again at once, while the footer's edit is still fresh; claude answers at once.
  const firstEnd = new Map(chats.map((chat) => [chat, clock.now()]));
  const second = chats.map((chat, i) => streamingTurn(chat, clock, messenger, `second${i}`));
  await clock.advance(100);
  for (const { view } of second) view.appendMarkdown("second answer");
  await clock.advance(3000);
  for (const { view, typing, watch } of second) {
    typing.stop();
    watch.stop();
    view.finish("done", { durationMs: 3000 });
  }
  await clock.advance(60_000);
  return { limits, rec, chats, sent, firstEnd };
}

const isWrite = (c: RecordedCall) => c.method === "sendMessage" || c.method === "editMessageText";

describe("a 2-minute fast stream", () => {
  test("causes zero 429s under Telegram's documented limits, and the owner still sees it all, first words at once", async () => {
    const { limits, rec, chats, sent, firstEnd } = await simulate(DEFAULT_EDIT_INTERVAL_MS);
    expect(limits.rejected).toEqual([]);
    for (const chat of chats) {
      const calls = rec.calls.filter((c) => c.payload.chat_id === chat);
      const firstTurn = calls.filter((c) => c.at <= firstEnd.get(chat)!);
      // Paced at the edit interval: about 100 calls in two minutes, never a flood.
      expect(firstTurn.length).toBeLessThanOrEqual(STREAM_MS / DEFAULT_EDIT_INTERVAL_MS + 15);
      const writes = firstTurn.filter(isWrite);
      // The first words are in the first message, or in the edit one second after it: no typing… in between.
      expect(firstTurn[0]).toMatchObject({ method: "sendMessage", at: 0 });
      const firstWords = firstTurn.find((c) => String(c.payload.text).startsWith("word0"))!;
      expect(firstWords.at).toBeLessThanOrEqual(1000);
      // Edits in a row keep the edit interval; the card goes one second after the call before it.
      const edits = writes.filter((c) => c.method === "editMessageText");
      for (let i = 1; i < edits.length; i++) if (firstTurn[firstTurn.indexOf(edits[i]!) - 1]!.method === "editMessageText") expect(edits[i]!.at - firstTurn[firstTurn.indexOf(edits[i]!) - 1]!.at).toBeGreaterThanOrEqual(DEFAULT_EDIT_INTERVAL_MS);
      const card = firstTurn.find((c) => c.payload.text === "laptop wants to run a command")!;
      expect(card.at - firstTurn[firstTurn.indexOf(card) - 1]!.at).toBe(1000);
      // typing… only in the stall, never while text streams.
      const typing = firstTurn.filter((c) => c.method === "sendChatAction").map((c) => c.at);
      expect(typing.length).toBeGreaterThan(0);
      for (const at of typing) expect(at > STALL.from && at < STALL.to + 1000).toBe(true);
      // The newest text keeps arriving while the stream runs (no starvation)…
      expect(writes.filter((c) => c.at < STREAM_MS).length).toBeGreaterThan(60);
      // …and the last state shows the end of the answer and the footer, the whole answer as a file.
      const lastEdit = writes.at(-1)!;
      expect(String(lastEdit.payload.text)).toContain(`word${STREAM_MS / 50 - 1}`);
      expect(String(lastEdit.payload.text)).toContain("✅ laptop · 120.0 s");
      expect(firstTurn.filter((c) => c.method === "sendDocument")).toHaveLength(1);
      // The next turn's first message (its words already there) goes one second after the last call, not a whole interval.
      const next = calls.filter((c) => c.at > firstEnd.get(chat)!);
      expect(next[0]!.method).toBe("sendMessage");
      expect(String(next[0]!.payload.text)).toContain("second answer");
      expect(next[0]!.at - firstTurn.at(-1)!.at).toBeLessThanOrEqual(1000);
    }
    expect(sent.length).toBeGreaterThan(50_000);
  });

  test("in groups it keeps their 20 calls a minute, and the owner still sees it all", async () => {
    const { limits, rec, chats } = await simulate(DEFAULT_EDIT_INTERVAL_MS, [-1001, -1002]);
    expect(limits.rejected).toEqual([]);
    for (const chat of chats) {
      const writes = rec.calls.filter((c) => c.payload.chat_id === chat && isWrite(c));
      expect(writes.filter((c) => c.at < STREAM_MS).length).toBeGreaterThan(30);
      expect(writes.some((c) => String(c.payload.text).includes(`word${STREAM_MS / 50 - 1}`) && String(c.payload.text).includes("✅ laptop · 120.0 s"))).toBe(true);
    }
  });

  test("the same run with a 700 ms gap breaks the limits (the simulated Bot API is strict)", async () => {
    const { limits } = await simulate(700);
    expect(limits.rejected.length).toBeGreaterThan(0);
    expect(limits.rejected[0]!.why).toMatch(/ms after the previous call to the chat/);
  });
});
