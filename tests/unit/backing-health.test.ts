import { expect, test } from "bun:test";
import { BackingHealth, ANSWER_WITHIN_MS, CHECK_EVERY_MS } from "../../src/relay/backing-health";
import { VirtualClock } from "../helpers/virtual-clock";

function logLines() {
  const lines: string[] = [];
  const log = { error: (m: string) => lines.push(`error: ${m}`), info: (m: string) => lines.push(`info: ${m}`), warn() {}, debug() {}, success() {} } as never;
  return { lines, log };
}

test("a service that stops answering makes the relay unhealthy, named, logged once; healthy again, logged, once it answers", async () => {
  const clock = new VirtualClock();
  const { lines, log } = logLines();
  let redisUp = true;
  const health = new BackingHealth([
    { name: "Postgres", ping: async () => 1 },
    { name: "Redis", ping: async () => { if (!redisUp) throw new Error("Connection closed"); } },
  ], clock, log);
  health.start();
  await clock.advance(CHECK_EVERY_MS);
  expect(health.health).toEqual({ ok: true });
  redisUp = false;
  await clock.advance(CHECK_EVERY_MS);
  await clock.advance(CHECK_EVERY_MS);
  expect(health.health).toEqual({ ok: false, down: ["Redis"], message: "this relay cannot reach Redis; it is waiting for it to come back" });
  expect(lines).toEqual(["error: lost Redis (Connection closed): /healthz answers 503 until it is back"]);
  redisUp = true;
  await clock.advance(CHECK_EVERY_MS);
  expect(health.health).toEqual({ ok: true });
  expect(lines.at(-1)).toBe("info: Redis is back");
  health.stop();
});

test("a service that does not answer in time counts as lost, and both are named when both are", async () => {
  const clock = new VirtualClock();
  const { log } = logLines();
  const health = new BackingHealth([
    { name: "Postgres", ping: () => new Promise(() => {}) },
    { name: "Redis", ping: async () => { throw new Error("refused"); } },
  ], clock, log);
  const checked = health.check();
  await clock.advance(ANSWER_WITHIN_MS);
  await checked;
  expect(health.health).toEqual({ ok: false, down: ["Redis", "Postgres"], message: "this relay cannot reach Redis and Postgres; it is waiting for them to come back" });
});

test("the embedded sqlite relay has nothing to lose: always healthy, no timer", () => {
  const clock = new VirtualClock();
  const health = new BackingHealth([], clock, logLines().log);
  health.start();
  expect(clock.nextAt).toBeUndefined();
  expect(health.health).toEqual({ ok: true });
});
