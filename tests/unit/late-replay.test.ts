// After a relay restart, machines replay the events it had not acknowledged, often of turns that
// already ended. The Telegram turn surface on the real sqlite store with a recording Bot API: what
// shows nothing costs no Telegram call and no view; new words still update the turn's message once.
import { expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { Messenger } from "../../src/relay/telegram/messenger";
import { TurnSurface } from "../../src/relay/telegram/turn-surface";
import { recordingApi } from "../helpers/recording-api";
import { tempRelayDb } from "../helpers/temp-relay-db";

const CHAT = 1001;

async function endedTurn() {
  const { repo, clock } = tempRelayDb(1_700_000_000_000);
  const rec = recordingApi(() => clock.now());
  // Which store methods the surface calls.
  const asked: string[] = [];
  const store = new Proxy(repo, { get: (target, key) => (asked.push(String(key)), Reflect.get(target, key)) });
  const surface = new TurnSurface({ store, messenger: new Messenger(rec.api, clock, 0, createLog("test")), clock, log: createLog("test") });
  await repo.addUser({ telegramId: CHAT, role: "owner", name: "Owner", createdAt: clock.now() });
  await repo.addDevice({ id: "dev1", name: "laptop", ownerId: CHAT, tokenHash: "h", createdAt: clock.now() });
  await repo.addSession({ id: "s1", deviceId: "dev1", chatId: CHAT, createdAt: clock.now(), worktree: false, threadId: null });
  await repo.addTurn({ id: "t1", sessionId: "s1", chatId: CHAT, prompt: "hi", status: "running", createdAt: clock.now(), origin: "chat", files: "[]", attachments: "[]" });
  await repo.appendTurnText("t1", "Done.");
  await repo.setTurnMessages("t1", [77]);
  await repo.setTurnStatus("t1", "done", clock.now());
  const turn = (await repo.turn("t1"))!;
  return { surface, turn, rec, repo, asked };
}

test("a replayed event that shows nothing (init, turn.started) of an ended turn costs no Telegram call and no store query", async () => {
  const { surface, turn, rec, repo, asked } = await endedTurn();
  await surface.handle({ type: "turn.output", turn, output: { kind: "init", turnId: "t1", claudeSessionId: "c1" } });
  await surface.handle({ type: "turn.output", turn, output: { kind: "turn.started", turnId: "t1" } as never });
  await surface.settled();
  expect(rec.calls).toEqual([]);
  expect(asked).toEqual([]);
  await repo.committed();
});

test("replayed words of an ended turn still update its message, once", async () => {
  const { surface, turn, rec, repo } = await endedTurn();
  await surface.handle({ type: "turn.output", turn, output: { kind: "text", turnId: "t1", text: " And more." }, offset: 5 });
  await surface.settled();
  expect(rec.calls.map((c) => [c.method, c.payload.message_id, c.payload.text])).toEqual([["editMessageText", 77, expect.stringContaining("Done. And more.")]]);
  await repo.committed();
});
