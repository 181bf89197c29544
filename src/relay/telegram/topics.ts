import type { Context } from "grammy";
import type { Clock } from "../../clock";
import type { Device, Session, Store } from "../store/types";
import type { Messenger } from "./messenger";

/** Telegram's cap on a topic's name. */
const TOPIC_NAME_MAX = 128;

/**
 * Topics in private chats, when the bot has topics enabled (getMe reports has_topics_enabled):
 * one per device, plus one per conversation opened with /new. The thread id says which device
 * (and conversation) a prompt is for and where its output goes. Without topics every method
 * answers "no thread" and everything stays in the main chat.
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
    // A conversation's own topic gone: its output goes to its machine's topic from now on.
    messenger.onThreadGone = async (chatId, threadId) => {
      const session = await repo.sessionOfTopic(chatId, threadId);
      await repo.forgetTopic(chatId, threadId);
      return session ? await repo.topicOf(chatId, session.deviceId) : undefined;
    };
  }

  private on(chatId: number): boolean {
    return chatId > 0 && this.enabled();
  }

  /** Where output about the device goes: the conversation's own topic, else the device's, if there is one. */
  async threadOf(chatId: number, deviceId: string, sessionId?: string): Promise<number | undefined> {
    if (!this.on(chatId)) return undefined;
    const own = sessionId ? (await this.repo.session(sessionId))?.threadId : undefined;
    return own ?? await this.repo.topicOf(chatId, deviceId);
  }

  /** The device whose topic (or whose conversation's topic) this is. */
  async deviceOf(chatId: number, threadId: number | undefined): Promise<string | undefined> {
    if (threadId === undefined || !this.on(chatId)) return undefined;
    return (await this.repo.deviceOfTopic(chatId, threadId)) ?? (await this.repo.sessionOfTopic(chatId, threadId))?.deviceId;
  }

  /** The open conversation whose own topic this is. */
  async sessionOf(chatId: number, threadId: number | undefined): Promise<Session | undefined> {
    return threadId !== undefined && this.on(chatId) ? await this.repo.sessionOfTopic(chatId, threadId) : undefined;
  }

  /** Whether conversations get topics of their own in this chat. */
  available(chatId: number): boolean {
    return this.on(chatId);
  }

  /** A topic of the conversation's own (/new); undefined without topics or if Telegram refused. */
  async openFor(session: Session, name: string): Promise<number | undefined> {
    if (!this.on(session.chatId)) return undefined;
    const threadId = await this.messenger.createTopic(session.chatId, topicName(name));
    if (threadId !== undefined) await this.repo.setSessionTopic(session.id, threadId);
    return threadId;
  }

  /** Names the conversation's topic anew (after its first prompt). */
  rename(session: Session, name: string): Promise<void> {
    return session.threadId === null ? Promise.resolve() : this.messenger.renameTopic(session.chatId, session.threadId, topicName(name));
  }

  /** The device's topic, created on first use; undefined without topics (or if Telegram refused). */
  async ensure(chatId: number, device: Device): Promise<number | undefined> {
    if (!this.on(chatId)) return undefined;
    const known = await this.repo.topicOf(chatId, device.id);
    if (known !== undefined) return known;
    const key = `${chatId}:${device.id}`;
    let pending = this.creating.get(key);
    if (!pending) {
      pending = this.messenger.createTopic(chatId, device.name).then(async (threadId) => {
        if (threadId !== undefined) await this.repo.setTopic(chatId, device.id, threadId, this.clock.now());
        this.creating.delete(key);
        return threadId;
      });
      this.creating.set(key, pending);
    }
    return pending;
  }
}

const topicName = (name: string) => (name.length > TOPIC_NAME_MAX ? `${name.slice(0, TOPIC_NAME_MAX - 1)}…` : name);

/** The topic a message or button tap came from. */
export function threadOfUpdate(ctx: Context): number | undefined {
  const message = ctx.message ?? ctx.callbackQuery?.message;
  return message && "message_thread_id" in message ? message.message_thread_id : undefined;
}
