// Scheduled prompts from the phone through the compiled binary: the time zone is asked once and the
// schedule made right after, /schedules lists it with its buttons, it survives a relay crash, and
// it can be cancelled. (Firing on time is tested on a virtual clock in core-schedules.test.ts.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const buttons = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: "callback_data" in b ? b.callback_data! : "" }));
const allUpdatesHandled = () => {
  const db = new Database(join(stack.relayDir, "relay.db"), { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM telegram_updates WHERE handled_at IS NULL").get() as { n: number }).n === 0;
  } finally {
    db.close();
  }
};
const current = (m: StoredMessage) => stack.telegram.chat(OWNER).find((x) => x.message_id === m.message_id)!;

describe("schedules", () => {
  test("the first schedule asks for the time zone once, then is made", async () => {
    stack.telegram.userText(OWNER, "/every weekday 9:00 run the tests and summarise failures");
    await stack.waitForText(/First, which time zone are you in\? Send \/tz with its name/);
    stack.telegram.userText(OWNER, "/tz Mars/Olympus");
    await stack.waitForText(/"Mars\/Olympus" is not a time zone I know/);
    stack.telegram.userText(OWNER, "/tz europe/madrid");
    await stack.waitForText(/🕘 Your time zone is Europe\/Madrid \(it is \d\d:\d\d there\)/);
    await stack.waitForText(/⏰ On laptop, weekdays at 09:00: "run the tests and summarise failures"\nNext: \w{3} \d{1,2} \w{3} 09:00 \(Europe\/Madrid\)\. If laptop is offline then, it runs when it is back\./);
    // Later ones need no question.
    stack.telegram.userText(OWNER, "/at 23:59 summarise today's commits");
    await stack.waitForText(/⏰ On laptop, once, \w{3} \d{1,2} \w{3} 23:59: "summarise today's commits"/);
  });

  test("/schedules lists them; 'skip when offline' sticks across a relay crash; cancel removes one", async () => {
    // A kill -9 between a reply and the update being marked handled makes the relay handle it again
    // after the restart (at least once): crash only once every update is marked.
    await stack.telegram.waitFor(allUpdatesHandled, { message: "the relay to mark every update handled" });
    await stack.crashAndRestartServe();
    const before = stack.telegram.chat(OWNER).length;
    stack.telegram.userText(OWNER, "/schedules");
    await stack.telegram.waitFor(() => stack.telegram.chat(OWNER).slice(before).filter((m) => m.text?.startsWith("⏰")).length === 2, { message: "two schedules listed" });
    const weekly = stack.telegram.chat(OWNER).slice(before).find((m) => m.text?.includes("weekdays at 09:00"))!;
    stack.telegram.clickButton(OWNER, weekly.message_id, buttons(weekly).find((b) => b.text === "⏭ Skip when offline")!.data);
    await stack.telegram.waitFor(() => /that time is skipped/.test(current(weekly).text ?? ""), { message: "the schedule to skip when offline" });
    expect(buttons(current(weekly)).map((b) => b.text)).toEqual(["▶ Run when back online", "🗑 Cancel"]);
    const once = stack.telegram.chat(OWNER).slice(before).find((m) => m.text?.includes("summarise today's commits"))!;
    stack.telegram.clickButton(OWNER, once.message_id, buttons(once).find((b) => b.text === "🗑 Cancel")!.data);
    await stack.telegram.waitFor(() => (current(once).text ?? "").startsWith("🗑 Cancelled: \"summarise today's commits\""), { message: "the cancelled schedule" });
    const after = stack.telegram.chat(OWNER).length;
    stack.telegram.userText(OWNER, "/schedules");
    await stack.telegram.waitFor(() => stack.telegram.chat(OWNER).slice(after).some((m) => m.text?.includes("that time is skipped")), { message: "the remaining schedule" });
    expect(stack.telegram.chat(OWNER).slice(after).filter((m) => m.text?.startsWith("⏰"))).toHaveLength(1);
  });
});
