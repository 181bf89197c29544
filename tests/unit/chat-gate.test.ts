// Several relay instances sending to one chat through a real redis-server: one call at a time,
// Telegram's gap between any two, a 429 honoured by all. Time is virtual; it moves only while no
// Redis command is in flight, to the next timer due, so every wait is waited on, never slept.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient, type RedisOptions } from "bun";
import { systemClock } from "../../src/clock";
import type { Log } from "../../src/log";
import { RedisChatGates, type GateRedis } from "../../src/relay/redis/chat-gate";
import type { ChatGates } from "../../src/relay/telegram/chat-gate";
import { CHAT_LIMIT_MS, GROUP_LIMIT_MS } from "../../src/relay/telegram/lane";
import { Messenger } from "../../src/relay/telegram/messenger";
import { recordingApi, tooManyRequests } from "../helpers/recording-api";
import { startRedis } from "../helpers/real-servers";
import { settle, VirtualClock } from "../helpers/virtual-clock";

type Call = { instance: string; chat: number; method: string; text: string; start: number; end: number; answer: "ok" | "429" };

let redis: Awaited<ReturnType<typeof startRedis>>;
const clients: RedisClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await redis[Symbol.asyncDispose]();
});

const ft = (text: string) => ({ text, entities: [] });

/** Relay instances sharing one virtual clock, each with its own Redis connection and Bot API. */
class World {
  readonly clock = new VirtualClock();
  readonly calls: Call[] = [];
  readonly logs: string[] = [];
  /** Calls to each chat in flight right now, and the most there ever were at once. */
  private active = new Map<number, number>();
  maxActive = 0;
  private inflight = new Set<Promise<unknown>>();

  readonly log: Log = Object.fromEntries(
    (["error", "warn", "info", "success", "debug", "trace"] as const).map((level) => [level, (message: unknown) => void this.logs.push(`${level}: ${String(message)}`)]),
  ) as unknown as Log;

  /** A Redis connection whose commands the world waits for before it moves the clock. */
  redis(url = redis.url, options?: RedisOptions): GateRedis {
    const client = new RedisClient(url, options);
    clients.push(client);
    const track = <T>(p: Promise<T>): Promise<T> => {
      this.inflight.add(p);
      void p.catch(() => {}).finally(() => this.inflight.delete(p));
      return p;
    };
    return { send: (command, args) => track(client.send(command, args)), connect: () => track(client.connect()) };
  }

  /**
   * One relay instance: a Messenger whose every Bot API call takes `callMs` and is answered by
   * `respond` (which may throw a 429 body).
   */
  instance(name: string, gates: ChatGates | undefined, options: { callMs?: number; respond?: (method: string, payload: Record<string, any>) => unknown } = {}): Messenger {
    const rec = recordingApi(() => this.clock.now(), options.respond);
    rec.api.config.use(async (prev, method, payload, signal) => {
      const chat = (payload as { chat_id: number }).chat_id;
      const start = this.clock.now();
      const now = (this.active.get(chat) ?? 0) + 1;
      this.active.set(chat, now);
      this.maxActive = Math.max(this.maxActive, now);
      await this.clock.sleep(options.callMs ?? 300);
      const result = await prev(method, payload, signal);
      this.active.set(chat, this.active.get(chat)! - 1);
      const text = String((payload as { text?: string }).text ?? "");
      this.calls.push({ instance: name, chat, method, text, start, end: this.clock.now(), answer: result.ok ? "ok" : "429" });
      return result;
    });
    return new Messenger(rec.api, this.clock, 1200, this.log, undefined, gates);
  }

  gates(name: string, url?: string, options?: RedisOptions): RedisChatGates {
    return new RedisChatGates({ redis: this.redis(url, options), clock: this.clock, log: this.log, instance: name });
  }

  /** Runs until `done()`: lets Redis answer, then moves the clock to the next timer due. */
  async until(done: () => boolean, what: string): Promise<void> {
    for (let step = 0; step < 5000; step++) {
      await settle();
      if (done()) return;
      if (this.inflight.size > 0) {
        await Promise.allSettled([...this.inflight]);
        continue;
      }
      const at = this.clock.nextAt;
      if (at === undefined) throw new Error(`nothing is left to wait for, yet not ${what}`);
      await this.clock.advance(at - this.clock.now());
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  /** Calls to `chat` in the order they were made. */
  to(chat: number): Call[] {
    return this.calls.filter((c) => c.chat === chat).sort((a, b) => a.start - b.start);
  }
}

/** Gaps shorter than `gapMs` between the end of a call to the chat and the start of the next (overlaps included). */
function tooClose(calls: Call[], gapMs: number): string[] {
  return calls.slice(1).flatMap((c, i) => (c.start - calls[i]!.end < gapMs ? [`${c.instance} ${c.method} at ${c.start}, ${c.start - calls[i]!.end} ms after the last ended`] : []));
}

describe("one sender per chat across relay instances", () => {
  test("without a shared gate (one relay's pacing), two instances call one chat at once: what the Redis gate is for", async () => {
    const w = new World();
    const a = w.instance("a", undefined);
    const b = w.instance("b", undefined);
    for (const m of [a, b]) for (const text of ["1", "2"]) void m.send(7, ft(text));
    await w.until(() => w.calls.length === 4, "4 calls");
    expect(w.maxActive).toBe(2);
    expect(tooClose(w.to(7), CHAT_LIMIT_MS).length).toBeGreaterThan(0);
  });

  test("two instances sending to one private chat: never two calls at once, Telegram's second between any two, each instance's edits keep the edit interval", async () => {
    const w = new World();
    const a = w.instance("a", w.gates("a"));
    const b = w.instance("b", w.gates("b"));
    const CHAT = 1001;
    void a.send(CHAT, ft("a1")).then((m) => {
      void a.edit(CHAT, m!.message_id, ft("a1 edit 1"));
      void a.edit(CHAT, m!.message_id, ft("a1 edit 2"));
    });
    for (const text of ["b1", "b2", "b3"]) void b.send(CHAT, ft(text));
    void a.send(CHAT, ft("a2"));
    await w.until(() => w.calls.length === 7, "7 calls");
    const calls = w.to(CHAT);
    expect(w.maxActive).toBe(1);
    expect(tooClose(calls, CHAT_LIMIT_MS)).toEqual([]);
    expect(new Set(calls.map((c) => c.instance))).toEqual(new Set(["a", "b"]));
    expect(calls.filter((c) => c.instance === "b").map((c) => c.text)).toEqual(["b1", "b2", "b3"]);
    const edits = calls.filter((c) => c.method === "editMessageText");
    expect(edits.map((c) => c.text)).toEqual(["a1 edit 1", "a1 edit 2"]);
    expect(edits[1]!.start - edits[0]!.end).toBeGreaterThanOrEqual(1200);
  });

  test("in a group, one call every 3 s across both instances", async () => {
    const w = new World();
    const a = w.instance("a", w.gates("a"));
    const b = w.instance("b", w.gates("b"));
    const GROUP = -100_200;
    for (const text of ["a1", "a2"]) void a.send(GROUP, ft(text));
    for (const text of ["b1", "b2"]) void b.send(GROUP, ft(text));
    await w.until(() => w.calls.length === 4, "4 calls");
    expect(w.maxActive).toBe(1);
    expect(tooClose(w.to(GROUP), GROUP_LIMIT_MS)).toEqual([]);
    expect(new Set(w.calls.map((c) => c.instance))).toEqual(new Set(["a", "b"]));
  });

  test("a 429 met by one instance holds the other too, until its retry_after has passed", async () => {
    const w = new World();
    let refused = false;
    const a = w.instance("a", w.gates("a"), {
      respond: (method) => {
        if (method !== "sendMessage" || refused) return undefined;
        refused = true;
        throw tooManyRequests(5);
      },
    });
    const b = w.instance("b", w.gates("b"));
    const CHAT = 1002;
    void a.send(CHAT, ft("a1"));
    await w.until(() => w.calls.length === 1, "the 429");
    const deadline = w.calls[0]!.end + 5000;
    expect(w.calls[0]!.answer).toBe("429");
    // b has its own lane and never met the 429 itself: only Redis can tell it.
    void b.send(CHAT, ft("b1"));
    await w.until(() => w.calls.length === 3, "both messages");
    const after = w.to(CHAT).slice(1);
    expect(after.map((c) => c.text).sort()).toEqual(["a1", "b1"]);
    for (const c of after) expect(c.start).toBeGreaterThanOrEqual(deadline);
    expect(tooClose(w.to(CHAT), CHAT_LIMIT_MS)).toEqual([]);
  });

  test("different chats do not wait on each other: not for a slow call, not for a 429", async () => {
    const w = new World();
    const a = w.instance("a", w.gates("a"), { callMs: 5000, respond: () => { throw tooManyRequests(30); } });
    const b = w.instance("b", w.gates("b"));
    void a.send(2001, ft("slow, then refused"));
    for (const text of ["b1", "b2", "b3"]) void b.send(2002, ft(text));
    await w.until(() => w.to(2002).length === 3 && w.to(2001).length === 1, "chat 2002's three messages");
    // Each call to 2002 takes 300 ms; the next goes one second after: at its own pace only.
    expect(w.to(2002).map((c) => c.start)).toEqual([0, 1300, 2600]);
    expect(w.to(2001)[0]).toMatchObject({ start: 0, end: 5000, answer: "429" });
  });

  test("Redis stopped: the calls go on paced by this relay alone, the log says so once, and they take turns again once Redis is back", async () => {
    await using own = await startRedis();
    const w = new World();
    const a = w.instance("a", w.gates("a", own.url, { autoReconnect: false }));
    const CHAT = 3001;
    void a.send(CHAT, ft("before"));
    await w.until(() => w.calls.length === 1, "the first message");
    await own.stop();
    void a.send(CHAT, ft("during"));
    void a.send(CHAT, ft("during 2"));
    await w.until(() => w.calls.length === 3, "the messages sent while Redis is away");
    const warnings = w.logs.filter((l) => l.startsWith("warn: Redis is unreachable"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`calls to chat ${CHAT} cannot take turns with the other relays; until it is back this relay paces the chat alone`);
    expect(tooClose(w.to(CHAT), CHAT_LIMIT_MS)).toEqual([]); // its own pacing still holds
    await own.start();
    void a.send(CHAT, ft("after"));
    await w.until(() => w.calls.length === 4, "the message after Redis is back");
    expect(w.calls.map((c) => c.text)).toEqual(["before", "during", "during 2", "after"]);
    expect(w.logs).toContain("info: this chat's calls take turns with the other relays again");
    expect(tooClose(w.to(CHAT), CHAT_LIMIT_MS)).toEqual([]);
  });
});

// Real time here: a lock's life is counted by Redis's own clock.
describe("the lock's life", () => {
  /** Gates on a connection that reports each command it sends. */
  function realGates(instance: string, onSend: (args: string[]) => void = () => {}) {
    const client = new RedisClient(redis.url);
    clients.push(client);
    const log = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {}, trace: () => {}, success: () => {} } as unknown as Log;
    const send = (command: string, args: string[]) => (onSend(args), client.send(command, args));
    return new RedisChatGates({ redis: { send, connect: () => client.connect() }, clock: systemClock, log, instance, lockTtlMs: 300, heldRetryMs: 10 });
  }

  test("a call that outlasts the lock's life keeps the lock (renewed while it lasts): the other instance waits for its end", async () => {
    const CHAT = 4001;
    let renewals = 0;
    let renewedFourTimes!: () => void;
    const fourTimes = new Promise<void>((resolve) => (renewedFourTimes = resolve));
    const a = realGates("a", (args) => args[0]!.includes("PEXPIRE") && ++renewals === 4 && renewedFourTimes());
    const b = realGates("b");
    const held = await a.gate(CHAT).enter();
    let bIn = false;
    const bEntering = Promise.resolve(b.gate(CHAT).enter()).then((pass) => ((bIn = true), pass));
    await fourTimes; // more than a whole lock life (300 ms) has passed since a took it
    expect(bIn).toBe(false);
    const leftAt = Date.now();
    await held.leave(leftAt + 50);
    const bPass = await bEntering;
    expect(Date.now()).toBeGreaterThanOrEqual(leftAt + 50);
    await bPass.leave(Date.now() + 1);
  });

  test("an instance that died during its call (it never releases the lock) holds the chat only until the lock lapses", async () => {
    const CHAT = 4002;
    const raw = new RedisClient(redis.url);
    clients.push(raw);
    await raw.send("SET", [`ra:chat:${CHAT}`, "crashed:1", "PX", "200"]);
    const b = realGates("b");
    const pass = await b.gate(CHAT).enter();
    expect(await raw.get(`ra:chat:${CHAT}`)).toBe("b:1");
    await pass.leave(Date.now() + 1000);
    expect(await raw.get(`ra:chat:${CHAT}`)).toBeNull();
    expect(Number(await raw.get(`ra:chat:${CHAT}:next`))).toBeGreaterThan(Date.now());
    expect(await raw.send("PTTL", [`ra:chat:${CHAT}:next`])).toBeGreaterThan(1000);
  });
});
