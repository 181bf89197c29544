import type { RedisClient } from "bun";
import type { Cancel, Clock } from "../../clock";
import type { Log } from "../../log";
import { PROBE_MS, type AgentLink, type Hub, type Outgoing, type RemoteDevices } from "../core/hub";
import { shortId } from "../secrets";
import { Lease } from "./lease";
import { PendingAnswers } from "./pending-answers";
import { followStream, RedisStream } from "./stream";
import { decodeInboxMessage, type InboxMessage } from "./inbox-message";

/** Which instance holds each device's link: deviceId → instance id. */
const HOLDERS = "ra:devices";
/** Every change of HOLDERS, in order, for the other instances' copies. */
const PRESENCE = "ra:presence";
/** A new relay instance's id. */
export const instanceId = () => `i-${shortId(10)}`;
const instanceKey = (id: string) => `ra:instance:${id}`;
const inboxKey = (id: string) => `ra:inbox:${id}`;

// Written together, so the presence log is in the order the holders changed.
const TAKE = `redis.call("HSET", KEYS[1], ARGV[1], ARGV[2]) return redis.call("XADD", KEYS[2], "MAXLEN", "~", "100000", "*", "d", ARGV[1] .. " " .. ARGV[2])`;
// Only the holder lets go: a newer holder elsewhere stays.
const LET_GO = `if redis.call("HGET", KEYS[1], ARGV[1]) == ARGV[2] then redis.call("HDEL", KEYS[1], ARGV[1]) return redis.call("XADD", KEYS[2], "MAXLEN", "~", "100000", "*", "d", ARGV[1] .. " ") end return 0`;

export type RedisDevicesOptions = {
  redis: RedisClient;
  /** For the blocking readers, which need connections of their own. */
  url: string;
  hub: Hub;
  clock: Clock;
  log: Log;
  /** How long this instance counts as alive after its last renewal (a killed one is noticed after this). */
  instanceTtlMs?: number;
  /** A holder that does not answer a probe within this is taken for dead. */
  probeTimeoutMs?: number;
  /** This instance's id (unique among the relays sharing the Redis); default a random one. */
  id?: string;
  /** A device whose instance was killed (its lease expired): called on every instance that notices. */
  onDead?: (deviceId: string) => void;
  /** Called after every change of who holds a device (tests wait on it). */
  onChange?: (deviceId: string, holder: string | undefined) => void;
};

/**
 * Devices connected to the other relay instances, through Redis. Each instance holds the lease
 * `ra:instance:<id>` while it lives and reads its own stream `ra:inbox:<id>`: frames for a device
 * it holds, probes and closes. Who holds which device is the hash `ra:devices`, and every change
 * of it goes into the stream `ra:presence`, which every instance reads into its own copy (so
 * `holder()` answers at once). A holder whose instance lease expired (killed) counts as gone.
 */
export class RedisDevices implements RemoteDevices {
  readonly id: string;
  private holders = new Map<string, string>();
  /** Instances whose lease expired: their devices are offline until they connect elsewhere. */
  private dead = new Set<string>();
  private readonly questions: PendingAnswers;
  private answerers = new Map<string, (args: unknown) => unknown>();
  private readonly lease: Lease;
  private readonly inbox: RedisStream;
  private readonly stop$ = new AbortController();
  private cancelSweep: Cancel | undefined;
  private readonly ttlMs: number;

  constructor(private readonly o: RedisDevicesOptions) {
    this.id = o.id ?? instanceId();
    this.ttlMs = o.instanceTtlMs ?? 6000;
    this.lease = new Lease({ redis: o.redis, key: instanceKey(this.id), token: this.id, ttlMs: this.ttlMs, clock: o.clock });
    this.inbox = new RedisStream(o.redis, inboxKey(this.id), 10_000);
    this.questions = new PendingAnswers(o.clock);
  }

  /** Joins the other instances: takes this instance's lease, copies who holds what, starts reading. */
  async start(): Promise<void> {
    const { redis, hub, log } = this.o;
    if (!(await this.lease.tryAcquire())) throw new Error(`relay instance id ${this.id} is taken`);
    this.lease.onLost(() => {
      // The others now take this instance for dead: its agents must reconnect to be reachable.
      log.error("lost this relay instance's lease in Redis: closing agent connections so they reconnect");
      hub.closeAll(1012, "the relay lost its connection to Redis; reconnect");
      void this.rejoin();
    });
    const presence = new RedisStream(redis, PRESENCE);
    const from = await presence.lastId();
    const all = ((await redis.send("HGETALL", [HOLDERS])) ?? {}) as Record<string, string> | string[];
    const pairs = Array.isArray(all) ? Array.from({ length: all.length / 2 }, (_, i) => [all[2 * i]!, all[2 * i + 1]!] as const) : Object.entries(all);
    for (const [device, holder] of pairs) this.holders.set(device, holder);
    void this.follow(presence, from, (data) => this.presenceChanged(data));
    void this.follow(this.inbox, "0-0", (data) => this.received(data));
    this.scheduleSweep();
  }

  async stop(): Promise<void> {
    this.stop$.abort();
    this.cancelSweep?.();
    for (const [device, holder] of this.holders) if (holder === this.id) await this.letGo(device).catch(() => {});
    await this.lease.release();
    await this.o.redis.send("DEL", [inboxKey(this.id)]).catch(() => {});
  }

  /** Takes this instance's lease again once Redis answers, and says again which devices connected here meanwhile. */
  private async rejoin(): Promise<void> {
    if (!(await this.lease.acquire(1000, this.stop$.signal))) return;
    this.o.log.info("this relay instance is back among the others in Redis");
    for (const [device, holder] of this.holders) if (holder === this.id) this.announce(device);
  }

  /** Whether this instance holds its lease (the others count it alive and route to it). */
  get member(): boolean {
    return this.lease.isHeld;
  }

  holder(deviceId: string): string | undefined {
    const holder = this.holders.get(deviceId);
    return holder && holder !== this.id && !this.dead.has(holder) ? holder : undefined;
  }

  send(deviceId: string, frame: Outgoing): void {
    const holder = this.holder(deviceId);
    if (holder) this.post(holder, { t: "frame", d: deviceId, f: frame });
  }

  alive(deviceId: string): Promise<boolean> {
    const holder = this.holder(deviceId);
    if (!holder) return Promise.resolve(false);
    const { id, answer } = this.questions.open(this.o.probeTimeoutMs ?? PROBE_MS + 2000, false);
    this.post(holder, { t: "probe", d: deviceId, id, r: this.id });
    return answer;
  }

  /** Asks the `kind` handler of another instance; undefined when it does not answer within `timeoutMs`. */
  ask(instance: string, kind: string, args: unknown, timeoutMs = PROBE_MS): Promise<unknown> {
    const { id, answer } = this.questions.open<unknown>(timeoutMs, undefined);
    this.post(instance, { t: "ask", id, r: this.id, k: kind, a: args });
    return answer;
  }

  /** What this instance answers when another asks `kind`. */
  answer(kind: string, handler: (args: unknown) => unknown): void {
    this.answerers.set(kind, handler);
  }

  held(deviceId: string, link: AgentLink | undefined): void {
    if (link) this.announce(deviceId);
    else if (this.holders.get(deviceId) === this.id) {
      this.holders.delete(deviceId);
      void this.letGo(deviceId).catch((err) => this.failed("let go of a device", err));
    }
  }

  disconnect(deviceId: string, code: number, reason: string): void {
    const holder = this.holder(deviceId);
    if (holder) this.post(holder, { t: "close", d: deviceId, code, reason });
  }

  private announce(deviceId: string): void {
    this.holders.set(deviceId, this.id);
    void this.o.redis.send("EVAL", [TAKE, "2", HOLDERS, PRESENCE, deviceId, this.id]).catch((err) => this.failed("announce a device", err));
  }

  private letGo(deviceId: string): Promise<unknown> {
    return this.o.redis.send("EVAL", [LET_GO, "2", HOLDERS, PRESENCE, deviceId, this.id]);
  }

  private post(instance: string, message: InboxMessage): void {
    void this.o.redis.send("XADD", [inboxKey(instance), "MAXLEN", "~", "10000", "*", "d", JSON.stringify(message)]).catch((err) => this.failed(`pass a ${message.t} to instance ${instance}`, err));
  }

  private presenceChanged(data: string): void {
    const [device = "", holder = ""] = data.split(" ");
    // An instance taken for dead that announces a device again is alive (it got its lease back).
    if (holder) this.dead.delete(holder);
    if (holder) this.holders.set(device, holder);
    else if (this.holders.get(device) !== this.id) this.holders.delete(device);
    // A newer connection of the device on another instance: the one here is stale.
    if (holder && holder !== this.id && this.o.hub.here(device)) this.o.hub.takenElsewhere(device);
    this.o.onChange?.(device, this.holder(device));
  }

  private received(data: string): void {
    const message = decodeInboxMessage(data);
    if (!message) return this.o.log.warn(`ignored an unreadable message in this instance's Redis inbox: ${data.slice(0, 200)}`);
    const { hub } = this.o;
    switch (message.t) {
      case "frame":
        // The device moved on meanwhile: after it, wherever it is now.
        if (!hub.sendHere(message.d, message.f as Outgoing)) this.send(message.d, message.f as Outgoing);
        return;
      case "probe":
        void hub.probeHere(message.d).then((alive) => this.post(message.r, { t: "probed", id: message.id, alive }));
        return;
      case "probed":
        this.questions.settle(message.id, message.alive);
        return;
      case "close":
        hub.disconnectHere(message.d, message.code, message.reason);
        return;
      case "ask": {
        const handler = this.answerers.get(message.k);
        void Promise.resolve()
          .then(() => handler?.(message.a))
          .catch((err) => void this.o.log.error(`answering ${message.k} for instance ${message.r} failed: ${(err as Error)?.message ?? err}`))
          .then((v) => this.post(message.r, v === undefined ? { t: "answer", id: message.id } : { t: "answer", id: message.id, v }));
        return;
      }
      case "answer":
        this.questions.settle(message.id, message.v);
        return;
    }
  }

  private follow(stream: RedisStream, from: string, handle: (data: string) => void): Promise<void> {
    const { url, clock } = this.o;
    return followStream({ stream, url, from, signal: this.stop$.signal, clock, failed: (err) => this.failed(`read ${stream.key}`, err), handle: (entry) => handle(entry.data) });
  }

  /** Instances holding devices whose lease is gone were killed: their devices are offline. */
  private scheduleSweep(): void {
    this.cancelSweep = this.o.clock.schedule(Math.max(50, Math.floor(this.ttlMs / 3)), () => {
      void this.sweep().finally(() => !this.stop$.signal.aborted && this.scheduleSweep());
    });
  }

  private async sweep(): Promise<void> {
    const others = [...new Set(this.holders.values())].filter((i) => i !== this.id && !this.dead.has(i));
    for (const instance of others) {
      const alive = await this.o.redis.send("EXISTS", [instanceKey(instance)]).catch(() => 1);
      if (alive !== 0) continue;
      this.dead.add(instance);
      for (const [device, holder] of this.holders) {
        if (holder !== instance) continue;
        this.holders.delete(device);
        this.o.onChange?.(device, undefined);
        this.o.onDead?.(device);
        // For instances that start later (several may do this: only the first finds it there).
        await this.o.redis.send("EVAL", [LET_GO, "2", HOLDERS, PRESENCE, device, instance]).catch(() => {});
      }
    }
  }

  private failed(what: string, err: unknown): void {
    this.o.log.warn(`could not ${what} through Redis: ${(err as Error)?.message ?? err}`);
  }
}
