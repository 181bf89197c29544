import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { Messenger } from "../../src/relay/telegram/messenger";
import { TypingIndicator } from "../../src/relay/telegram/typing";
import { recordingApi, tooManyRequests } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const CHAT = 42;

describe("typing indicator", () => {
  test("re-sends typing every 4 s while the turn runs and stops at once when it ends", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    const typing = new TypingIndicator(new Messenger(api, clock, 1200, createLog("test")), clock, CHAT);
    await clock.advance(10_000);
    expect(of("sendChatAction").map((c) => [c.at, c.payload.action, c.payload.chat_id])).toEqual([
      [0, "typing", CHAT],
      [4000, "typing", CHAT],
      [8000, "typing", CHAT],
    ]);
    typing.stop();
    expect(typing.running).toBe(false);
    await clock.advance(60_000);
    expect(of("sendChatAction")).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });

  test("carries the topic's message_thread_id", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    const typing = new TypingIndicator(new Messenger(api, clock, 1200, createLog("test")), clock, CHAT, 77);
    await clock.advance(0);
    typing.stop();
    expect(of("sendChatAction")[0]!.payload).toMatchObject({ chat_id: CHAT, action: "typing", message_thread_id: 77 });
  });

  test("a 429 on typing pauses the chat for retry_after, and a failure never stops the loop", async () => {
    const clock = new VirtualClock();
    let answer: unknown[] = [tooManyRequests(9), { ok: false, error_code: 400, description: "Bad Request: chat not found" }];
    const { api, of } = recordingApi(() => clock.now(), (method) => {
      if (method !== "sendChatAction" || answer.length === 0) return undefined;
      throw answer.shift();
    });
    const messenger = new Messenger(api, clock, 1200, createLog("test"));
    const typing = new TypingIndicator(messenger, clock, CHAT);
    await clock.advance(1);
    // The 429 holds every call to this chat until retry_after has passed.
    void messenger.send(CHAT, { text: "hello", entities: [] });
    await clock.advance(8_000);
    expect(of("sendMessage")).toHaveLength(0);
    await clock.advance(20_000);
    typing.stop();
    const actions = of("sendChatAction").map((c) => c.at);
    expect(actions[0]).toBe(0);
    // After the pause the turn's first typing… (which never showed) goes first, then the message…
    expect(actions[1]).toBe(9000);
    expect(of("sendMessage")[0]!.at).toBe(10_200);
    // …and the loop goes on: the next typing fails with a 400 (logged only), later ones still come.
    expect(actions[2]).toBe(12_000);
    expect(actions.length).toBeGreaterThanOrEqual(4);
  });

  test("the first typing… always shows; later ones wait behind every message and edit", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    const messenger = new Messenger(api, clock, 1200, createLog("test"));
    void messenger.send(CHAT, { text: "first", entities: [] });
    const typing = new TypingIndicator(messenger, clock, CHAT);
    void messenger.send(CHAT, { text: "second", entities: [] });
    await clock.advance(3000);
    // Behind "first" with "second" waiting, the turn's first typing… still goes out.
    expect(of("sendChatAction").map((c) => c.at)).toEqual([1200]);
    void messenger.send(CHAT, { text: "a", entities: [] });
    await clock.advance(100);
    void messenger.send(CHAT, { text: "b", entities: [] });
    await clock.advance(900); // t=4000: the next typing… waits behind "b"
    void messenger.send(CHAT, { text: "c", entities: [] }); // …and "c", though it came later, goes before it
    await clock.advance(3000);
    expect(of("sendMessage").map((c) => c.payload.text)).toEqual(["first", "second", "a", "b", "c"]);
    expect(of("sendChatAction").map((c) => c.at)).toEqual([1200]);
    // The typing… that gave way took no slot: "c" follows "b" by exactly one interval.
    const [b, c] = of("sendMessage").slice(-2).map((m) => m.at);
    expect(c! - b!).toBe(1200);
    // With nothing waiting any more, typing… shows again in the next slot after "c".
    await clock.advance(2000);
    const shown = of("sendChatAction").map((c) => c.at);
    expect(shown).toEqual([1200, c! + 1200]);
    typing.stop();
  });

  test("a typing call still waiting in the lane when the turn ends is dropped (no stale typing… after the answer)", async () => {
    const clock = new VirtualClock();
    let first = true;
    const { api, of } = recordingApi(() => clock.now(), (method) => {
      if (method === "sendMessage" && first) {
        first = false;
        throw tooManyRequests(10);
      }
      return undefined;
    });
    const messenger = new Messenger(api, clock, 1200, createLog("test"));
    void messenger.send(CHAT, { text: "final answer", entities: [] });
    await clock.advance(1);
    const typing = new TypingIndicator(messenger, clock, CHAT); // queued behind the 10 s pause
    await clock.advance(5000);
    typing.stop();
    await clock.advance(30_000);
    expect(of("sendMessage")).toHaveLength(2);
    expect(of("sendChatAction")).toEqual([]);
  });
});
