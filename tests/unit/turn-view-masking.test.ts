// What a streaming turn sends to Telegram, through the relay's real turn view, live message and
// chat lane on a virtual clock: no call ever carries a piece of a key cut by a chunk boundary.
import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { MAX_TEXT_EVENT_CHARS, MAX_TURN_TEXT_CHARS } from "../../src/proto";
import { LiveMessage } from "../../src/relay/telegram/live-message";
import { Messenger } from "../../src/relay/telegram/messenger";
import { RetryAfter } from "../../src/relay/telegram/retry-after";
import { TurnView } from "../../src/relay/telegram/turn-view";
import { recordingApi } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const log = createLog("test");
const EDIT_INTERVAL_MS = 100;

function streaming() {
  const clock = new VirtualClock();
  const rec = recordingApi(() => clock.now());
  const messenger = new Messenger(rec.api, clock, EDIT_INTERVAL_MS, log, new RetryAfter(clock, log));
  const view = new TurnView({ turnId: "t1", deviceName: "laptop", live: new LiveMessage(messenger, 1001), now: () => clock.now() });
  view.started();
  const texts = () => rec.calls.map((c) => String(c.payload.text ?? ""));
  return { clock, rec, view, texts };
}

describe("a streamed answer on its way to Telegram", () => {
  test("a key split over many chunks is never shown in part, and is masked once complete", async () => {
    const { clock, view, texts } = streaming();
    const key = "sk-ant-api03-Zq9Wc2Lm8Rt5Yp1Xv7Bn3Kd6Hs4Jf0Ga";
    const pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAopenssh\n-----END OPENSSH PRIVATE KEY-----";
    const answer = `Your key: ${key} and the deploy key:\n${pem}\nThat is all.`;
    // Three characters per chunk, each rendered before the next arrives.
    for (let at = 0; at < answer.length; at += 3) {
      view.appendMarkdown(answer.slice(at, at + 3));
      await clock.advance(EDIT_INTERVAL_MS * 2);
    }
    const during = texts();
    expect(during.some((t) => t.startsWith("Your key:"))).toBe(true);
    view.finish("done", { durationMs: 1000 });
    await clock.advance(10_000);
    const all = texts();
    for (const t of all) {
      expect(t).not.toContain("sk-ant");
      expect(t).not.toContain("b3Blbn");
    }
    expect(all.at(-1)).toContain("Your key: sk-a…[masked] and the deploy key:");
    expect(all.at(-1)).toContain("-----BEGIN OPENSSH PRIVATE KEY----- …[masked]\nThat is all.");
    // The answer around the key kept streaming word by word.
    expect(during.filter((t) => t.includes("and the deploy")).length).toBeGreaterThan(1);
  });

  test("text beyond the per-turn cap from a broken or hostile agent is not shown", async () => {
    const { clock, view, rec } = streaming();
    const piece = `${"word ".repeat(MAX_TEXT_EVENT_CHARS / 5 - 1)}\n\n`;
    for (let sent = 0; sent < MAX_TURN_TEXT_CHARS * 1.5; sent += piece.length) view.appendMarkdown(piece);
    view.appendMarkdown("THE END");
    view.finish("done", { durationMs: 1 });
    await clock.advance(60_000);
    const last = rec.calls.filter((c) => c.method === "editMessageText" || c.method === "sendMessage").at(-1)!;
    expect(String(last.payload.text)).toContain("laptop sent more than 1 MiB of text in this turn; the relay shows no more of it.");
    expect(rec.calls.some((c) => String(c.payload.text ?? "").includes("THE END"))).toBe(false);
  });
});
