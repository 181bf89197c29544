import type { Context } from "grammy";
import type { Clock } from "../../clock";
import type { Device, Store } from "../store/types";
import type { Messenger } from "./messenger";

/**
 * One topic per device in each private chat, when the bot has topics enabled (getMe reports
 * has_topics_enabled): the thread id says which device a prompt is for and where its output goes.
 * Without topics every method answers "no thread" and everything stays in the main chat.
 */
export class Topics {
  /** Topic creations in flight, so two prompts at once create one topic. */
  private creating = new Map<string, Promise<number | undefined>>();

  constructor(
    private readonly repo: Store,
    private readonly messenger: Messenger,
    private readonly clock: Clock,
    private readonly enabled: () => boolean,
  ) {
    messenger.onThreadGone = (chatId, threadId) => repo.forgetTopic(chatId, threadId);
  }

  private on(chatId: number): boolean {
    return chatId > 0 && this.enabled();
  }

  /** The device's topic in the chat, if it has one. */
  threadOf(chatId: number, deviceId: string): number | undefined {
    return this.on(chatId) ? this.repo.topicOf(chatId, deviceId) : undefined;
  }

  /** The device whose topic this is. */
  deviceOf(chatId: number, threadId: number | undefined): string | undefined {
    return threadId !== undefined && this.on(chatId) ? this.repo.deviceOfTopic(chatId, threadId) : undefined;
  }

  /** The device's topic, created on first use; undefined without topics (or if Telegram refused). */
  async ensure(chatId: number, device: Device): Promise<number | undefined> {
    if (!this.on(chatId)) return undefined;
    const known = this.repo.topicOf(chatId, device.id);
    if (known !== undefined) return known;
    const key = `${chatId}:${device.id}`;
    let pending = this.creating.get(key);
    if (!pending) {
      pending = this.messenger.createTopic(chatId, device.name).then((threadId) => {
        if (threadId !== undefined) this.repo.setTopic(chatId, device.id, threadId, this.clock.now());
        this.creating.delete(key);
        return threadId;
      });
      this.creating.set(key, pending);
    }
    return pending;
  }
}

/** The topic a message or button tap came from. */
export function threadOfUpdate(ctx: Context): number | undefined {
  const message = ctx.message ?? ctx.callbackQuery?.message;
  return message && "message_thread_id" in message ? message.message_thread_id : undefined;
}
