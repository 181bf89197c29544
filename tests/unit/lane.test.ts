import { describe, expect, test } from "bun:test";
import { GrammyError } from "grammy";
import type { Clock } from "../../src/clock";
import { createLog } from "../../src/log";
import { ChatLane } from "../../src/relay/telegram/lane";
import { VirtualClock } from "../helpers/virtual-clock";

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
  test("one call at a time: edits in a row keep the edit interval, every other call only Telegram's one a second", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 1200, createLog("test"));
    const at: [string, number][] = [];
    const job = (name: string) => async () => (at.push([name, clock.now()]), "done" as const);
    lane.push(job("message 1"));
    lane.push(job("message 2"));
    lane.push(job("edit 1"), "edit");
    lane.push(job("edit 2"), "edit");
    await until(() => lane.idle);
    lane.push(job("message 3"));
    await until(() => lane.idle);
    // The first edit after a message (a status message's first words) waits 1 s, not 1.2 s; so
    // does the next turn's first message after the last edit.
    expect(at).toEqual([["message 1", 0], ["message 2", 1000], ["edit 1", 2000], ["edit 2", 3200], ["message 3", 4200]]);
  });

  test("an edit interval below Telegram's limit (tests run with 50 ms) paces every call by it", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 50, createLog("test"));
    const at: number[] = [];
    for (const priority of ["message", "edit", "edit", "typing"] as const) lane.push(async () => (at.push(clock.now()), "done"), priority);
    await until(() => lane.idle);
    expect(at).toEqual([0, 50, 100, 150]);
  });

  test("in a group every call keeps its 20 a minute (one every 3 s)", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 1200, createLog("test"), () => 0, true);
    const at: number[] = [];
    for (const priority of ["message", "edit", "edit", "card"] as const) lane.push(async () => (at.push(clock.now()), "done"), priority);
    await until(() => lane.idle);
    expect(at).toEqual([0, 3000, 6000, 9000]);
  });

  test("a more pressing job that arrives while the lane waits goes at its own time, ahead of the waiting edit", async () => {
    const clock = new VirtualClock();
    const lane = new ChatLane(clock, 1200, createLog("test"));
    const at: [string, number][] = [];
    const job = (name: string) => async () => (at.push([name, clock.now()]), "done" as const);
    lane.push(job("edit 1"), "edit");
    lane.push(job("edit 2"), "edit"); // due at 1200
    await clock.advance(500);
    lane.push(job("card"), "card"); // due at 1000: the lane wakes for it
    await clock.advance(5000);
    expect(at).toEqual([["edit 1", 0], ["card", 1000], ["edit 2", 2000]]);
  });

  test("a job that made no call after all takes no slot", async () => {
    const clock = virtualClock();
    const lane = new ChatLane(clock, 1200, createLog("test"));
    const at: number[] = [];
    lane.push(async () => (at.push(clock.now()), "done"));
    lane.push(async () => "skipped");
    lane.push(async () => (at.push(clock.now()), "done"));
    await until(() => lane.idle);
    expect(at).toEqual([0, 1000]);
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
