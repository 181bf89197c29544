import { LiveMessage } from "../../src/relay/telegram/live-message";
import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { DraftMessage, DraftRegistry } from "../../src/relay/telegram/drafts";
import { Messenger } from "../../src/relay/telegram/messenger";
import { RetryAfter } from "../../src/relay/telegram/retry-after";
import { TypingIndicator } from "../../src/relay/telegram/typing";
import { recordingApi, tooManyRequests, type RecordedCall } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const CHAT = 42;
const log = createLog("test");

/** Every 429 for a chat is followed by silence towards that chat for retry_after. */
function violations(calls: RecordedCall[], answers: Map<RecordedCall, unknown>): string[] {
  const out: string[] = [];
  calls.forEach((c, i) => {
    const body = answers.get(c) as { error_code?: number; parameters?: { retry_after?: number } } | undefined;
    if (body?.error_code !== 429) return;
    const until = c.at + body.parameters!.retry_after! * 1000;
    for (const later of calls.slice(i + 1)) {
      const sameChat = later.payload.chat_id === c.payload.chat_id;
      if (sameChat && later.at < until) out.push(`${later.method} at ${later.at} < ${until} after a 429 on ${c.method}`);
    }
  });
  return out;
}

function setup(failFirst: (method: string) => boolean) {
  const clock = new VirtualClock();
  const failed = new Set<string>();
  const answers = new Map<RecordedCall, unknown>();
  let nextThread = 10;
  const rec = recordingApi(() => clock.now(), (method, p) => {
    const call = rec.calls.at(-1)!;
    if (failFirst(method) && !failed.has(method)) {
      failed.add(method);
      answers.set(call, tooManyRequests(7));
      throw tooManyRequests(7);
    }
    if (method === "createForumTopic") return { message_thread_id: ++nextThread, name: p.name, icon_color: 7322096 };
    return undefined;
  });
  const retryAfter = new RetryAfter(clock, log);
  rec.api.config.use(retryAfter.transformer);
  const messenger = new Messenger(rec.api, clock, 1200, log, retryAfter);
  return { clock, rec, messenger, answers, retryAfter };
}

describe("no call ever ignores retry_after", () => {
  test("every kind of call the relay makes to a chat: after a 429, nothing reaches that chat before retry_after, and the call is made again (a refused draft comes back as a real message)", async () => {
    const methods = ["sendMessage", "editMessageText", "sendDocument", "sendChatAction", "createForumTopic", "sendMessageDraft"];
    const { clock, rec, messenger, answers } = setup((m) => methods.includes(m));
    const live = new LiveMessage(messenger, CHAT);
    live.set([{ text: "one", entities: [] }]);
    const typing = new TypingIndicator(messenger, clock, CHAT);
    void messenger.document(CHAT, "a.md", "# a");
    void messenger.createTopic(CHAT, "laptop");
    void messenger.send(CHAT, { text: "card", entities: [] }, { urgent: true });
    const draft = new DraftMessage(messenger, CHAT, undefined, undefined, "turn1", new DraftRegistry(), log);
    draft.set([{ text: "draft text", entities: [] }], undefined, { draft: true });
    await clock.advance(60_000);
    live.set([{ text: "one, two", entities: [] }]);
    await clock.advance(60_000);
    typing.stop();
    expect(violations(rec.calls, answers)).toEqual([]);
    for (const method of methods) expect(rec.of(method).length).toBeGreaterThanOrEqual(method === "sendMessageDraft" ? 1 : 2);
    expect([...answers.keys()].map((c) => c.method).sort()).toEqual([...methods].sort());
    expect(rec.of("sendMessage").map((c) => c.payload.text)).toContain("draft text");
  });

  test("a call outside the lanes (a button answer, a refusal) waits retry_after and tries again", async () => {
    const { clock, rec } = setup((m) => m === "answerCallbackQuery" || m === "sendMessage");
    const answered = rec.api.answerCallbackQuery("q1", { text: "ok" });
    await clock.advance(6_999);
    expect(rec.of("answerCallbackQuery")).toHaveLength(1);
    await clock.advance(1);
    expect(await answered).toBe(true);
    expect(rec.of("answerCallbackQuery").map((c) => c.at)).toEqual([0, 7000]);
    const reply = rec.api.sendMessage(CHAT, "Sorry, this is a private bot.");
    await clock.advance(7000);
    await reply;
    expect(rec.of("sendMessage").map((c) => c.at)).toEqual([7000, 14_000]);
  });

  test("a 429 seen outside the lane pauses the chat's lane too, and a lane's 429 holds calls outside it", async () => {
    const { clock, rec, messenger } = setup((m) => m === "sendMessage");
    const direct = rec.api.sendMessage(CHAT, "direct");
    await clock.advance(1);
    void messenger.send(CHAT, { text: "through the lane", entities: [] });
    await clock.advance(6_000);
    expect(rec.of("sendMessage")).toHaveLength(1);
    await clock.advance(10_000);
    await direct;
    expect(rec.of("sendMessage").every((c) => c.at === 0 || c.at >= 7000)).toBe(true);
    expect(rec.of("sendMessage")).toHaveLength(3);

    const other = setup((m) => m === "editMessageText");
    void other.messenger.edit(CHAT, 5, { text: "edit", entities: [] });
    await other.clock.advance(1);
    const chatAction = other.rec.api.sendChatAction(CHAT, "typing");
    await other.clock.advance(6_000);
    expect(other.rec.of("sendChatAction")).toHaveLength(0);
    await other.clock.advance(2_000);
    await chatAction;
    expect(other.rec.of("sendChatAction")[0]!.at).toBeGreaterThanOrEqual(7000);
  });
});
