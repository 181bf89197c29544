import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { Messenger } from "../../src/relay/telegram/messenger";
import { TypingIndicator } from "../../src/relay/telegram/typing";
import { recordingApi, tooManyRequests } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const CHAT = 42;

describe("typing indicator", () => {
  test("says typing… only once the turn has shown nothing for 4 s, then every 4 s, and stops at once when it ends", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    const typing = new TypingIndicator(new Messenger(api, clock, 1200, createLog("test")), clock, CHAT);
    await clock.advance(10_000);
    expect(of("sendChatAction").map((c) => [c.at, c.payload.action, c.payload.chat_id])).toEqual([
      [4000, "typing", CHAT],
      [8000, "typing", CHAT],
    ]);
    // Output shows (the message is edited): no typing… until it has been quiet for 4 s again.
    typing.activity();
    await clock.advance(5000);
    expect(of("sendChatAction").map((c) => c.at)).toEqual([4000, 8000, 14_000]);
    typing.stop();
    expect(typing.running).toBe(false);
    await clock.advance(60_000);
    expect(of("sendChatAction")).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });

  test("never while the turn's message shows progress (a stream of output)", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    const typing = new TypingIndicator(new Messenger(api, clock, 1200, createLog("test")), clock, CHAT);
    for (let t = 0; t < 60_000; t += 3000) {
      typing.activity();
      await clock.advance(3000);
    }
    typing.stop();
    expect(of("sendChatAction")).toEqual([]);
  });

  test("never while it would mislead (claude waits for the owner on a card)", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    let waitingForOwner = true;
    const typing = new TypingIndicator(new Messenger(api, clock, 1200, createLog("test")), clock, CHAT, { wanted: () => !waitingForOwner });
    await clock.advance(20_000);
    expect(of("sendChatAction")).toEqual([]);
    waitingForOwner = false;
    await clock.advance(4000);
    typing.stop();
    expect(of("sendChatAction").map((c) => c.at)).toEqual([24_000]);
  });

  test("carries the topic's message_thread_id", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    const typing = new TypingIndicator(new Messenger(api, clock, 1200, createLog("test")), clock, CHAT, { threadId: 77 });
    await clock.advance(4000);
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
    await clock.advance(4001);
    // The 429 holds every call to this chat until retry_after has passed.
    void messenger.send(CHAT, { text: "hello", entities: [] });
    await clock.advance(8_000);
    expect(of("sendMessage")).toHaveLength(0);
    await clock.advance(20_000);
    typing.stop();
    const actions = of("sendChatAction").map((c) => c.at);
    expect(actions[0]).toBe(4000);
    // After the pause the message goes first, then the typing… that never showed…
    expect(of("sendMessage")[0]!.at).toBe(13_000);
    expect(actions[1]).toBe(14_000);
    // …and the loop goes on: that one fails with a 400 (logged only), later ones still come.
    expect(actions.length).toBeGreaterThanOrEqual(4);
  });

  test("never goes ahead of a waiting message or edit, and takes no slot when it gives way", async () => {
    const clock = new VirtualClock();
    const { api, of } = recordingApi(() => clock.now());
    const messenger = new Messenger(api, clock, 1200, createLog("test"));
    const typing = new TypingIndicator(messenger, clock, CHAT);
    await clock.advance(3500);
    void messenger.send(CHAT, { text: "a", entities: [] }); // t=3500
    void messenger.send(CHAT, { text: "b", entities: [] }); // t=4500
    void messenger.edit(CHAT, 1, { text: "a, edited", entities: [] }); // t=5500: typing… is due at 4000 but waits behind all three
    await clock.advance(2000);
    expect(of("sendChatAction")).toEqual([]);
    await clock.advance(3000);
    const calls = [...of("sendMessage"), ...of("editMessageText")].map((c) => c.at);
    expect(calls).toEqual([3500, 4500, 5500]);
    // With nothing waiting any more, typing… shows in the next slot.
    expect(of("sendChatAction").map((c) => c.at)).toEqual([6500]);
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
    const typing = new TypingIndicator(messenger, clock, CHAT); // due at 4001, queued behind the 10 s pause
    await clock.advance(5000);
    typing.stop();
    await clock.advance(30_000);
    expect(of("sendMessage")).toHaveLength(2);
    expect(of("sendChatAction")).toEqual([]);
  });
});
