import type { RedisClient } from "bun";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { ChatGate, ChatGates, ChatPass } from "../telegram/chat-gate";

// One round trip per try, decided on the server: the chat's floor first (returns it while it is in
// the future), then the lock (0: taken, -1: someone else's call is in flight).
const ENTER = `local at = tonumber(redis.call("GET", KEYS[2]) or "0")
if at > tonumber(ARGV[2]) then return at end
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[3]) then return 0 end
return -1`;
// Drops the lock only if it is still ours; the floor only ever rises (a 429's deadline is kept).
const LEAVE = `if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
if ARGV[2] ~= "" and tonumber(ARGV[2]) > tonumber(redis.call("GET", KEYS[2]) or "0") then
  redis.call("SET", KEYS[2], ARGV[2], "PX", ARGV[3])
end
return 1`;
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;

/** The commands the gate needs; a Bun RedisClient has them. */
export type GateRedis = Pick<RedisClient, "send" | "connect">;

export type RedisChatGateOptions = {
  redis: GateRedis;
  clock: Clock;
  log: Log;
  /** This relay instance, in the lock's value (with a counter, unique per call). */
  instance: string;
  /** A held lock's life, renewed at a third of it while the call lasts: a crashed holder frees the chat after this. */
  lockTtlMs?: number;
  /** How soon to look again while another instance's call to the chat is in flight. */
  heldRetryMs?: number;
  /** How long a floor outlives its time, so instances whose clocks differ a little still see it. */
  floorSlackMs?: number;
};

/** The lock key of a chat; `…:next` holds the chat's floor (ms epoch). */
export const chatLockKey = (chatId: number) => `ra:chat:${chatId}`;

/**
 * Chat gates shared by every relay instance on one Redis: a call to a chat is made only while
 * holding the short lock `ra:chat:<id>` (SET NX PX, a unique token, released by a token-checked
 * script), and not before the chat's floor `ra:chat:<id>:next`, which each call raises to its end
 * plus Telegram's gap, or a 429 to its retry_after deadline. Floors are times on the instances'
 * own clocks (kept in step by NTP; the slack covers a little skew). Waiting sleeps until the floor,
 * and polls only while another instance's call is in flight. Redis unreachable: `enter` rejects, no
 * call is made, and the lane tries again later.
 */
export class RedisChatGates implements ChatGates {
  private seq = 0;
  /** The last command failed: reconnect first (a Bun client that gave up stays closed otherwise). */
  private broken = false;
  private readonly lockTtlMs: number;
  private readonly heldRetryMs: number;
  private readonly floorSlackMs: number;

  constructor(private readonly options: RedisChatGateOptions) {
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.heldRetryMs = options.heldRetryMs ?? 50;
    this.floorSlackMs = options.floorSlackMs ?? 10_000;
  }

  gate(chatId: number): ChatGate {
    return { enter: () => this.enter(chatId) };
  }

  private async enter(chatId: number): Promise<ChatPass> {
    const { clock } = this.options;
    const lock = chatLockKey(chatId);
    const token = `${this.options.instance}:${++this.seq}`;
    for (;;) {
      const now = clock.now();
      const answer = Number(await this.send(chatId, "EVAL", [ENTER, "2", lock, `${lock}:next`, token, String(now), String(this.lockTtlMs)]));
      if (answer === 0) return this.pass(chatId, lock, token);
      await clock.sleep(answer > 0 ? answer - now : this.heldRetryMs);
    }
  }

  /** The lock is renewed while the call lasts (a slow upload), and released with the new floor after it. */
  private pass(chatId: number, lock: string, token: string): ChatPass {
    const { clock, log } = this.options;
    let left = false;
    let cancel = () => {};
    const renewLater = () => {
      cancel = clock.schedule(this.lockTtlMs / 3, () => {
        void this.send(chatId, "EVAL", [RENEW, "1", lock, token, String(this.lockTtlMs)]).then(
          (ok) => {
            if (left) return;
            if (ok === 1) renewLater();
            else log.warn(`a call to chat ${chatId} outlasted its lock: another relay instance may call the chat meanwhile`);
          },
          (err) => log.warn(`could not renew the lock of chat ${chatId} (Redis: ${((err as Error).cause as Error | undefined)?.message})`),
        );
      });
    };
    renewLater();
    return {
      leave: async (nextAt) => {
        left = true;
        cancel();
        const px = nextAt === undefined ? 1 : Math.max(1, nextAt - clock.now()) + this.floorSlackMs;
        try {
          await this.send(chatId, "EVAL", [LEAVE, "2", lock, `${lock}:next`, token, nextAt === undefined ? "" : String(nextAt), String(px)]);
        } catch (err) {
          const why = ((err as Error).cause as Error | undefined)?.message;
          log.warn(`could not release the lock of chat ${chatId} (Redis: ${why}); it lapses on its own within ${this.lockTtlMs / 1000} s`);
        }
      },
    };
  }

  private async send(chatId: number, command: string, args: string[]): Promise<unknown> {
    const { redis } = this.options;
    try {
      if (this.broken) await redis.connect();
      const reply = await redis.send(command, args);
      this.broken = false;
      return reply;
    } catch (err) {
      this.broken = true;
      throw new Error(`Redis is unreachable (${(err as Error).message}), so calls to chat ${chatId} cannot take turns with the other relays`, { cause: err });
    }
  }
}
