// Two relay instances, each a Hub with its RedisDevices, on one real redis-server: a device
// connected to one is reachable from the other, a stolen token on the other cannot push the live
// agent out, a dead agent's place can be taken, revoking closes it wherever it is, and a killed
// instance's devices count as offline once its lease expires.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { systemClock } from "../../src/clock";
import { createLog } from "../../src/log";
import { CloseCode } from "../../src/proto";
import { Hub, type AgentLink, type Outgoing } from "../../src/relay/core/hub";
import { RedisDevices } from "../../src/relay/redis/devices";
import { startRedis } from "../helpers/real-servers";

let redis: Awaited<ReturnType<typeof startRedis>>;
const stops: (() => unknown)[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await redis[Symbol.asyncDispose]();
});

/** An agent's socket as the hub sees it: what it was sent, whether it answers pings, how it closed. */
function fakeLink(answersPings = true) {
  const frames: Outgoing[] = [];
  let closed: { code: number; reason: string } | undefined;
  let onFrame = () => {};
  let hub: Hub | undefined;
  const link: AgentLink = {
    id: crypto.randomUUID(),
    ip: "192.0.2.1",
    send: (frame) => {
      frames.push(frame);
      if (frame.type === "ping" && answersPings) queueMicrotask(() => hub?.pong(link));
      onFrame();
    },
    close: (code, reason) => {
      closed = { code, reason };
      onFrame();
    },
  };
  /** Resolves once `done()` holds, checked on every frame and close. */
  const until = (done: () => boolean) => new Promise<void>((resolve) => {
    onFrame = () => done() && resolve();
    if (done()) resolve();
  });
  return { link, frames, closed: () => closed, until, on: (h: Hub) => (hub = h) };
}

/** One relay instance: its hub and its view of the others; `changed` resolves on a presence change matching. */
async function instance(ttlMs = 6000) {
  const client = new RedisClient(redis.url);
  const hub = new Hub(systemClock);
  const waiters: { match: (device: string, holder: string | undefined) => boolean; resolve: () => void }[] = [];
  const remote = new RedisDevices({
    redis: client,
    url: redis.url,
    hub,
    clock: systemClock,
    log: createLog("test"),
    instanceTtlMs: ttlMs,
    probeTimeoutMs: 2000,
    onChange: (device, holder) => {
      for (const w of waiters.splice(0)) (w.match(device, holder) ? w.resolve : () => waiters.push(w))();
    },
  });
  hub.connectRemote(remote);
  await remote.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await remote.stop();
    client.close();
  };
  stops.push(stop);
  const changed = (match: (device: string, holder: string | undefined) => boolean) => new Promise<void>((resolve) => waiters.push({ match, resolve }));
  return { hub, remote, client, stop, changed };
}

test("a frame for a device connected to another instance reaches it through that instance, in order", async () => {
  const a = await instance();
  const b = await instance();
  const agent = fakeLink();
  const seen = b.changed((d, holder) => d === "dev-order" && holder === a.remote.id);
  expect((await a.hub.claim("dev-order", agent.link)).outcome).toBe("attached");
  await seen;
  expect(b.hub.online("dev-order")).toBe(true);
  expect(b.hub.here("dev-order")).toBe(false);
  for (let i = 0; i < 50; i++) expect(b.hub.send("dev-order", { type: "pong", t: i })).toBe(true);
  await agent.until(() => agent.frames.length === 50);
  expect(agent.frames.map((f) => (f as { t: number }).t)).toEqual(Array.from({ length: 50 }, (_, i) => i));

  const gone = b.changed((d, holder) => d === "dev-order" && holder === undefined);
  expect(a.hub.detach(agent.link)).toBe(true);
  await gone;
  expect(b.hub.online("dev-order")).toBe(false);
  expect(b.hub.send("dev-order", { type: "pong", t: 99 })).toBe(false);
});

test("a second connection with the token on another instance is refused while the agent answers; once it does not, it takes over and the old link is closed", async () => {
  const a = await instance();
  const b = await instance();
  const real = fakeLink(true);
  real.on(a.hub);
  const seen = b.changed((d, holder) => d === "dev-dup" && holder === a.remote.id);
  await a.hub.claim("dev-dup", real.link);
  await seen;
  const thief = fakeLink();
  expect(await b.hub.claim("dev-dup", thief.link)).toEqual({ outcome: "refused", kept: { ip: "another relay instance" } });
  expect(real.closed()).toBeUndefined();
  expect(a.hub.here("dev-dup")).toBe(true);

  // The real agent's network died: its link no longer answers pings.
  const silent = fakeLink(false);
  const held = b.changed((d, holder) => d === "dev-dup2" && holder === a.remote.id);
  await a.hub.claim("dev-dup2", silent.link);
  await held;
  const next = fakeLink();
  const moved = a.changed((d, holder) => d === "dev-dup2" && holder === b.remote.id);
  expect((await b.hub.claim("dev-dup2", next.link)).outcome).toBe("attached");
  await moved;
  await silent.until(() => silent.closed() !== undefined);
  expect(silent.closed()?.code).toBe(CloseCode.replaced);
  expect(a.hub.here("dev-dup2")).toBe(false);
  expect(a.hub.online("dev-dup2")).toBe(true); // through b now
});

test("revoking a device on one instance closes its link on the other", async () => {
  const a = await instance();
  const b = await instance();
  const agent = fakeLink();
  const seen = b.changed((d, holder) => d === "dev-revoke" && holder === a.remote.id);
  await a.hub.claim("dev-revoke", agent.link);
  await seen;
  b.hub.disconnect("dev-revoke", CloseCode.unauthorized, "this device was revoked");
  await agent.until(() => agent.closed() !== undefined);
  expect(agent.closed()).toEqual({ code: CloseCode.unauthorized, reason: "this device was revoked" });
});

test("the devices of a killed instance count as offline once its lease expires, for running instances and ones that start later", async () => {
  const b = await instance(300);
  const doomed = await instance(300);
  const agent = fakeLink();
  const seen = b.changed((d, holder) => d === "dev-killed" && holder === doomed.remote.id);
  await doomed.hub.claim("dev-killed", agent.link);
  await seen;
  expect(b.hub.online("dev-killed")).toBe(true);
  // Killed: it neither renews its lease nor lets go of its devices (a kill -9 of its process).
  const offline = b.changed((d, holder) => d === "dev-killed" && holder === undefined);
  doomed.client.close();
  await offline;
  expect(b.hub.online("dev-killed")).toBe(false);
  const later = await instance(300);
  expect(later.hub.online("dev-killed")).toBe(false);
  expect(await later.client.send("HGET", ["ra:devices", "dev-killed"])).toBeNull();
});

test("a malformed entry in an instance's inbox is logged and the next ones still arrive", async () => {
  const a = await instance();
  const agent = fakeLink();
  await a.hub.claim("dev-bad", agent.link);
  await a.client.send("XADD", [`ra:inbox:${a.remote.id}`, "*", "d", "{not json"]);
  await a.client.send("XADD", [`ra:inbox:${a.remote.id}`, "*", "d", JSON.stringify({ t: "frame", d: "dev-bad", f: { type: "pong", t: 7 } })]);
  await agent.until(() => agent.frames.length === 1);
  expect(agent.frames).toEqual([{ type: "pong", t: 7 }]);
});
