import { LiveMessage } from "../../src/relay/telegram/live-message";
// "A 2-minute fast stream causes zero 429s under Telegram's documented limits", proven with the
// relay's own streaming parts (turn view, live message, chat lane, typing, status refresh) against
// a Bot API that enforces those limits strictly, on a virtual clock.
import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { Messenger } from "../../src/relay/telegram/messenger";
import { RetryAfter } from "../../src/relay/telegram/retry-after";
import { TurnView } from "../../src/relay/telegram/turn-view";
import { TurnWatch } from "../../src/relay/telegram/turn-watch";
import { TypingIndicator } from "../../src/relay/telegram/typing";
import { DocumentedLimits } from "../helpers/documented-limits";
import { recordingApi } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const log = createLog("test");
const EDIT_INTERVAL_MS = 1200; // ra serve's default

function streamingTurn(chatId: number, clock: VirtualClock, messenger: Messenger, turnId: string) {
  const view = new TurnView({ turnId, deviceName: "laptop", live: new LiveMessage(messenger, chatId), now: () => clock.now() });
  view.started();
  const typing = new TypingIndicator(messenger, clock, chatId);
  const watch = new TurnWatch({ messenger, clock, chatId, turnId, view });
  return { view, typing, watch };
}

describe("a 2-minute fast stream", () => {
  test("causes zero 429s under Telegram's documented limits, and the owner still sees it all", async () => {
    const clock = new VirtualClock();
    const limits = new DocumentedLimits();
    const rec = recordingApi(() => clock.now(), (method, p) => {
      const refused = limits.check(method, typeof p.chat_id === "number" ? p.chat_id : undefined, clock.now());
      if (refused) throw refused;
      return undefined;
    });
    const retryAfter = new RetryAfter(clock, log);
    rec.api.config.use(retryAfter.transformer);
    const messenger = new Messenger(rec.api, clock, EDIT_INTERVAL_MS, log, retryAfter);

    // Two owners' chats stream at once: a chunk every 50 ms for two minutes, a tool call every 10 s.
    const chats = [1001, 1002];
    const turns = chats.map((chat, i) => streamingTurn(chat, clock, messenger, `turn${i}`));
    let sent = "";
    for (let t = 0; t < 120_000; t += 50) {
      const chunk = `word${t / 50} `.repeat(3) + (t % 2000 === 0 ? "\n\n" : "");
      sent += chunk;
      for (const { view } of turns) view.appendMarkdown(chunk);
      if (t % 10_000 === 0) {
        for (const { view } of turns) {
          view.toolStarted({ toolUseId: `u${t}`, name: "Bash", summary: `npm test -- --shard ${t / 10_000}` });
          view.toolFinished({ toolUseId: `u${t}`, isError: false, output: "ok" });
        }
      }
      await clock.advance(50);
    }
    for (const { view, typing, watch } of turns) {
      typing.stop();
      watch.stop();
      view.finish("done", { durationMs: 120_000, costUsd: 0.5, turns: 3 });
    }
    await clock.advance(60_000);

    expect(limits.rejected).toEqual([]);
    for (const chat of chats) {
      const calls = rec.calls.filter((c) => c.payload.chat_id === chat);
      // Paced at the edit interval: about 100 calls in two minutes, never a flood.
      expect(calls.length).toBeLessThanOrEqual(120_000 / EDIT_INTERVAL_MS + 15);
      const writes = calls.filter((c) => c.method === "sendMessage" || c.method === "editMessageText");
      // The newest text keeps arriving while the stream runs (no starvation)…
      expect(writes.filter((c) => c.at < 120_000).length).toBeGreaterThan(60);
      // …and the last state shows the end of the answer and the footer, the whole answer as a file.
      const lastEdit = writes.at(-1)!;
      expect(String(lastEdit.payload.text)).toContain(`word${120_000 / 50 - 1}`);
      expect(String(lastEdit.payload.text)).toContain("✅ laptop · 120.0 s");
      expect(calls.filter((c) => c.method === "sendDocument")).toHaveLength(1);
    }
    expect(sent.length).toBeGreaterThan(50_000);
  });
});
