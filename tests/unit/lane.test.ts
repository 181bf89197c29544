import { describe, expect, test } from "bun:test";
import { GrammyError } from "grammy";
import type { Clock } from "../../src/clock";
import { createLog } from "../../src/log";
import { ChatLane } from "../../src/relay/telegram/lane";

/** A clock whose sleep advances virtual time at once. */
function virtualClock(): Clock & { t: number } {
  const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms), schedule: () => { throw new Error("lanes do not schedule"); } };
  return clock;
}

function until(predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (predicate() ? resolve() : queueMicrotask(check));
    check();
  });
}

const tooMany = (retryAfter: number) =>
  new GrammyError("Call to 'editMessageText' failed!", { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } }, "editMessageText", {});

describe("chat lane", () => {
  test("spaces calls to one chat by the interval, one at a time", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 1200, createLog("test"));
    const at: number[] = [];
    for (let i = 0; i < 3; i++) lane.push(async () => (at.push(clock.now()), "done"));
    await until(() => lane.idle);
    expect(at).toEqual([0, 1200, 2400]);
  });

  test("on 429 the whole chat pauses for retry_after, then the same job runs again", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 1000, createLog("test"));
    const at: number[] = [];
    let failures = 1;
    lane.push(async () => {
      at.push(clock.now());
      if (failures-- > 0) throw tooMany(7);
      return "done";
    });
    lane.push(async () => (at.push(clock.now()), "done"));
    await until(() => lane.idle);
    expect(at).toEqual([0, 7000, 8000]);
  });

  test("the same job waiting twice runs once (a live message syncs to its newest state)", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 100, createLog("test"));
    let runs = 0;
    const job = async () => (runs++, "done" as const);
    lane.push(async () => "done");
    lane.push(job);
    lane.push(job);
    await until(() => lane.idle);
    expect(runs).toBe(1);
  });

  test("approval cards go before waiting edits", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 100, createLog("test"));
    const order: string[] = [];
    lane.push(async () => (order.push("edit 1"), "done"));
    lane.push(async () => (order.push("edit 2"), "done"));
    lane.push(async () => (order.push("card"), "done"), "card");
    await until(() => lane.idle);
    expect(order).toEqual(["edit 1", "card", "edit 2"]);
  });

  test("5xx and network errors retry the same job with a growing delay; the last chance must settle", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 100, createLog("test"));
    const at: number[] = [];
    let failures = 3;
    lane.push(async (lastChance) => {
      at.push(clock.now());
      expect(lastChance).toBe(false);
      if (failures-- > 0) throw new GrammyError("Call failed", { ok: false, error_code: 502, description: "Bad Gateway" }, "sendMessage", {});
      return "done";
    });
    await until(() => lane.idle);
    expect(at).toEqual([0, 1000, 3000, 7000]);
  });

  test("a failing call is logged and does not stop the lane", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 10, createLog("test"));
    const order: string[] = [];
    lane.push(async () => {
      throw new Error("400 Bad Request: chat not found");
    });
    lane.push(async () => (order.push("next"), "done"));
    await until(() => lane.idle);
    expect(order).toEqual(["next"]);
  });
});
