// The lane's waiting jobs: priority first, arrival order within one, each job once.
import { describe, expect, test } from "bun:test";
import { LaneQueue, type LaneEntry } from "../../src/relay/telegram/lane-queue";

/** Takes every waiting entry, in the order the lane would run them. */
const takeAll = <J>(q: LaneQueue<J>): LaneEntry<J>[] => {
  const out: LaneEntry<J>[] = [];
  for (let e = q.shift(); e; e = q.shift()) out.push(e);
  return out;
};
const drain = (q: LaneQueue<string>) => takeAll(q).map((e) => `${e.job}:${e.priority}`);

describe("LaneQueue", () => {
  test("most pressing priority first, arrival order within one", () => {
    const q = new LaneQueue<string>();
    q.push("t", "typing");
    q.push("e1", "edit");
    q.push("m1", "message");
    q.push("e2", "edit");
    q.push("c", "card");
    q.push("m2", "message");
    expect(q.length).toBe(6);
    expect(q.first()).toEqual({ job: "c", priority: "card" });
    expect(drain(q)).toEqual(["c:card", "m1:message", "m2:message", "e1:edit", "e2:edit", "t:typing"]);
    expect(q.length).toBe(0);
    expect(q.first()).toBeUndefined();
  });

  test("a job waits once: asked again it keeps its place, asked more urgently it moves up (to the back of that priority)", () => {
    const q = new LaneQueue<string>();
    q.push("a", "edit");
    q.push("b", "message");
    q.push("a", "edit");
    q.push("a", "typing");
    expect(q.length).toBe(2);
    q.push("a", "message");
    expect(drain(q)).toEqual(["b:message", "a:message"]);
  });

  test("requeued: first among its priority; a copy already waiting is not doubled", () => {
    const q = new LaneQueue<string>();
    q.push("m1", "message");
    q.push("e1", "edit");
    q.requeue({ job: "m0", priority: "message" });
    q.push("x", "edit");
    q.requeue({ job: "x", priority: "edit" });
    expect(drain(q)).toEqual(["m0:message", "m1:message", "x:edit", "e1:edit"]);
  });

  test("twenty thousand waiting keep their order (a chat flooded with prompts)", () => {
    const q = new LaneQueue<number>();
    for (let i = 0; i < 20_000; i++) q.push(i, i % 2 === 0 ? "message" : "edit");
    const order = takeAll(q).map((e) => e.job);
    expect(order.slice(0, 3)).toEqual([0, 2, 4]);
    expect(order.slice(10_000, 10_003)).toEqual([1, 3, 5]);
    expect(order).toHaveLength(20_000);
  });
});
