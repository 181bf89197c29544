import { describe, expect, test } from "bun:test";
import type { Update } from "grammy/types";
import { KEEP_HANDLED_MS, MAX_HANDLED, UpdateInbox } from "../../src/relay/telegram/update-inbox";
import { tempRelayDb } from "../helpers/temp-relay-db";

const update = (id: number, from = 9_000_000 + id): Update =>
  ({ update_id: id, message: { message_id: id, date: 0, chat: { id: from, type: "private", first_name: "x" }, from: { id: from, is_bot: false, first_name: "x" }, text: "hi" } }) as Update;

describe("the update inbox", () => {
  test("a repeat delivery is recognised; an update received but never handled is handed back after a restart", async () => {
    const { repo, clock } = tempRelayDb(1_000_000);
    const inbox = new UpdateInbox(repo, clock);
    expect(await inbox.receive(update(1))).toBe(true);
    expect(await inbox.receive(update(1))).toBe(false);
    expect(await inbox.receive(update(2))).toBe(true);
    await inbox.markHandled(1);
    expect(await inbox.handled(1)).toBe(true);
    expect((await new UpdateInbox(repo, clock).leftover()).map((u) => u.update_id)).toEqual([2]);
  });

  test("a flood of strangers' updates never piles up: handled ones age out, and at most MAX_HANDLED stay", async () => {
    expect(MAX_HANDLED).toBe(5000);
    const { repo, clock } = tempRelayDb(1_000_000);
    const max = 300; // the same rule as MAX_HANDLED, on a flood small enough to write quickly
    const inbox = new UpdateInbox(repo, clock, max);
    const flood = max * 4 + 300;
    for (let id = 1; id <= flood; id++) {
      await inbox.receive(update(id));
      await inbox.markHandled(id);
    }
    expect(await repo.countUpdates()).toBeLessThanOrEqual(max + 200);
    // The newest are the ones kept: a repeat of a recent update is still recognised.
    expect(await inbox.receive(update(flood))).toBe(false);
    clock.t += KEEP_HANDLED_MS + 1;
    await inbox.receive(update(flood + 1)); // not handled yet: it must survive any tidying
    await inbox.tidy();
    expect(await repo.countUpdates()).toBe(1);
    expect((await inbox.leftover()).map((u) => u.update_id)).toEqual([flood + 1]);
  });
});
