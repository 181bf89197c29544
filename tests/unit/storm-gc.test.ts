import { expect, test } from "bun:test";
import { FrameQueue } from "../../src/relay/frame-queue";
import { collectAfterStorms, QUIET_MS, STORM_TASKS } from "../../src/relay/storm-gc";
import { VirtualClock } from "../helpers/virtual-clock";

/** A FrameQueue whose turns of the event loop the test runs by hand, without slicing. */
function queueWithHandLoop() {
  let waiting: (() => void)[] = [];
  const queue = new FrameQueue(() => {}, Number.POSITIVE_INFINITY, (fn) => void waiting.push(fn));
  const turn = async () => {
    const now = waiting;
    waiting = [];
    for (const fn of now) fn();
    await Bun.sleep(0);
  };
  return { queue, turn };
}

test("one full collection once a storm is over and the relay stayed quiet, none for ordinary traffic", async () => {
  const clock = new VirtualClock();
  const { queue, turn } = queueWithHandLoop();
  let collections = 0;
  collectAfterStorms(queue, clock, () => collections++);

  for (let i = 0; i < 10; i++) queue.push(() => {});
  await turn();
  await clock.advance(QUIET_MS * 5);
  expect(collections).toBe(0); // a few frames are not a storm

  for (let burst = 0; burst < 2; burst++) {
    for (let i = 0; i < STORM_TASKS; i++) queue.push(() => {});
    await turn();
    await clock.advance(QUIET_MS - 1); // the next burst comes before the relay was quiet long enough
  }
  expect(collections).toBe(0);
  await clock.advance(1);
  expect(collections).toBe(1);
  await clock.advance(QUIET_MS * 5);
  expect(collections).toBe(1);
});

test("stopping the relay cancels a collection still waiting for quiet", async () => {
  const clock = new VirtualClock();
  const { queue, turn } = queueWithHandLoop();
  let collections = 0;
  const stop = collectAfterStorms(queue, clock, () => collections++);
  for (let i = 0; i < STORM_TASKS; i++) queue.push(() => {});
  await turn();
  stop();
  await clock.advance(QUIET_MS * 2);
  expect(collections).toBe(0);
});
