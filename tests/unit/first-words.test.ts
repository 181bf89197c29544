// How soon the agent's first words reach the chat, through the relay's turn view, live message,
// chat lane and typing indicator on a virtual clock (ra serve's default 1.2 s edit interval).
import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { LiveMessage } from "../../src/relay/telegram/live-message";
import { Messenger } from "../../src/relay/telegram/messenger";
import { TurnView } from "../../src/relay/telegram/turn-view";
import { TypingIndicator } from "../../src/relay/telegram/typing";
import { recordingApi } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const CHAT = 1001;

function chat() {
  const clock = new VirtualClock();
  const rec = recordingApi(() => clock.now());
  const messenger = new Messenger(rec.api, clock, 1200, createLog("test"));
  const startTurn = () => {
    const view = new TurnView({ turnId: "t1", deviceName: "laptop", live: new LiveMessage(messenger, CHAT), now: () => clock.now() });
    view.started();
    return { view, typing: new TypingIndicator(messenger, clock, CHAT) };
  };
  const calls = () => rec.calls.map((c) => [c.method, c.at, String(c.payload.text ?? c.payload.action)]);
  return { clock, messenger, startTurn, calls };
}

describe("the first words of an answer", () => {
  test("in a quiet chat: the status message at once, the words in the very next call one second later, no typing… between", async () => {
    const { clock, startTurn, calls } = chat();
    const { view, typing } = startTurn();
    await clock.advance(100);
    view.appendMarkdown("Here is");
    typing.activity();
    await clock.advance(2000);
    typing.stop();
    expect(calls()).toEqual([
      ["sendMessage", 0, "⏳ laptop running 0 s"],
      ["editMessageText", 1000, "Here is\n\n⏳ laptop running 1 s"],
    ]);
  });

  test("already there when the first message goes out: one message with the words and the status line, no edit", async () => {
    const { clock, messenger, startTurn, calls } = chat();
    void messenger.send(CHAT, { text: "the last turn's notice", entities: [] }); // the chat's slot is taken until t=1000
    await clock.advance(200);
    const { view, typing } = startTurn();
    await clock.advance(300);
    view.appendMarkdown("Here is the answer.");
    typing.activity();
    await clock.advance(3000);
    typing.stop();
    expect(calls()).toEqual([
      ["sendMessage", 0, "the last turn's notice"],
      ["sendMessage", 1000, "Here is the answer.\n\n⏳ laptop running 0 s"],
    ]);
  });

  test("the next edits keep the edit interval", async () => {
    const { clock, startTurn, calls } = chat();
    const { view, typing } = startTurn();
    for (let t = 0; t < 4000; t += 100) {
      view.appendMarkdown(`w${t} `);
      typing.activity();
      await clock.advance(100);
    }
    typing.stop();
    expect(calls().map(([method, at]) => [method, at])).toEqual([
      ["sendMessage", 0],
      ["editMessageText", 1000],
      ["editMessageText", 2200],
      ["editMessageText", 3400],
    ]);
  });
});
