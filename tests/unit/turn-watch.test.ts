import { LiveMessage } from "../../src/relay/telegram/live-message";
import { describe, expect, test } from "bun:test";
import { createLog } from "../../src/log";
import { Messenger } from "../../src/relay/telegram/messenger";
import { TurnView } from "../../src/relay/telegram/turn-view";
import { TurnWatch } from "../../src/relay/telegram/turn-watch";
import { recordingApi } from "../helpers/recording-api";
import { VirtualClock } from "../helpers/virtual-clock";

const CHAT = 42;
const MIN = 60_000;

function setup() {
  const clock = new VirtualClock();
  const rec = recordingApi(() => clock.now());
  const messenger = new Messenger(rec.api, clock, 1200, createLog("test"));
  const view = new TurnView({ turnId: "t1", deviceName: "laptop", live: new LiveMessage(messenger, CHAT), now: () => clock.now() });
  view.started();
  const watch = new TurnWatch({ messenger, clock, chatId: CHAT, turnId: "t1", view });
  const notices = () => rec.of("sendMessage").filter((c) => String(c.payload.text).includes("Still working?"));
  /** The live message's newest text (its first send or its latest edit). */
  const liveText = () => String([...rec.calls].reverse().find((c) => (c.method === "editMessageText" && c.payload.message_id === 1) || (c.method === "sendMessage" && c.at === 0))?.payload.text);
  return { clock, rec, messenger, view, watch, notices, liveText };
}

describe("running turn status line", () => {
  test("is edited in place with the running time, the last tool and an approval wait, with Stop / Status buttons", async () => {
    const { clock, rec, view, watch, liveText } = setup();
    await clock.advance(0);
    expect(liveText()).toBe("⏳ laptop running 0 s");
    view.toolStarted({ toolUseId: "u1", name: "Bash", summary: "npm test" });
    view.setAwaitingApproval(true);
    await clock.advance(2 * MIN + 10_000);
    expect(liveText()).toEndWith("⏳ laptop running 2m10s · last tool: Bash npm test · waiting for approval");
    const edit = rec.of("editMessageText").at(-1)!;
    expect(edit.payload.reply_markup.inline_keyboard[0].map((b: { callback_data: string }) => b.callback_data)).toEqual(["stop:t1", "st:t1"]);
    expect(edit.payload.entities).toContainEqual(expect.objectContaining({ type: "code" }));
    expect(view.summary()).toBe("laptop · running 2m10s · last tool: Bash npm test · waiting for approval · 1 step");
    // Only the status line's clock changed: the message is edited, never re-sent.
    expect(rec.of("sendMessage")).toHaveLength(1);
    watch.stop();
  });
});

describe("silence notice", () => {
  test("after 5 silent minutes the owner is asked, loudly, with Stop / Keep waiting; the next event settles it", async () => {
    const { clock, rec, watch, notices } = setup();
    await clock.advance(5 * MIN - 1000);
    expect(notices()).toHaveLength(0);
    await clock.advance(5000); // the notice waits its turn in the chat's lane (1.2 s pacing)
    expect(notices()).toHaveLength(1);
    const notice = notices()[0]!;
    expect(notice.payload.text).toBe("⏳ laptop has been silent for 5m00s. Still working?");
    expect(notice.payload.disable_notification).toBeUndefined();
    expect(notice.payload.reply_markup.inline_keyboard[0].map((b: { callback_data: string }) => b.callback_data)).toEqual(["stop:t1", "kw:t1"]);
    await clock.advance(10 * MIN);
    expect(notices()).toHaveLength(1); // asked once per silence
    watch.activity();
    await clock.advance(2000);
    const settled = rec.of("editMessageText").find((c) => c.payload.message_id === 2)!;
    expect(settled.payload.text).toBe("✅ laptop is working again.");
    expect(settled.payload.reply_markup).toBeUndefined();
    watch.stop();
  });

  test("Keep waiting asks again only after another full silence", async () => {
    const { clock, watch, notices } = setup();
    await clock.advance(5 * MIN + 5000);
    expect(notices()).toHaveLength(1);
    await clock.advance(MIN);
    watch.keepWaiting();
    await clock.advance(5 * MIN - 1000);
    expect(notices()).toHaveLength(1);
    await clock.advance(5000);
    expect(notices()).toHaveLength(2);
    watch.stop();
  });

  test("waiting for the owner's approval is not silence", async () => {
    const { clock, view, watch, notices } = setup();
    view.setAwaitingApproval(true);
    await clock.advance(20 * MIN);
    expect(notices()).toHaveLength(0);
    view.setAwaitingApproval(false);
    await clock.advance(5 * MIN + 5000);
    expect(notices()).toHaveLength(1);
    watch.stop();
  });

  test("the end of the turn settles an open notice and stops every timer", async () => {
    const { clock, rec, watch } = setup();
    await clock.advance(5 * MIN);
    watch.stop();
    await clock.advance(5000);
    expect(rec.of("editMessageText").find((c) => c.payload.message_id === 2)?.payload.text).toBe("laptop's turn ended.");
    expect(clock.pending).toBe(0);
  });
});
