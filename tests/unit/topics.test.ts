import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createLog } from "../../src/log";
import { openDb } from "../../src/relay/db/client";
import { createRepo, type Device } from "../../src/relay/db/repo";
import { asyncStore } from "../../src/relay/store/async";
import { Messenger } from "../../src/relay/telegram/messenger";
import { Topics } from "../../src/relay/telegram/topics";
import { recordingApi } from "../helpers/recording-api";
import { tmpDir } from "../helpers/tmp";
import { VirtualClock } from "../helpers/virtual-clock";

const CHAT = 1001;
const laptop = { id: "dev1", name: "laptop" } as Device;

function setup(enabled = true, respond?: (method: string, p: Record<string, any>) => unknown) {
  const dir = tmpDir("ra-topics-");
  const db = openDb(join(dir.path, "relay.db"));
  const sqlite = createRepo(db);
  const repo = asyncStore(sqlite);
  const clock = new VirtualClock();
  let nextThread = 70;
  const rec = recordingApi(() => clock.now(), (method, p) => (method === "createForumTopic" ? { message_thread_id: ++nextThread, name: p.name, icon_color: 7322096 } : respond?.(method, p)));
  const messenger = new Messenger(rec.api, clock, 0, createLog("test"));
  const topics = new Topics(repo, messenger, clock, () => enabled);
  return { repo, clock, rec, messenger, topics, [Symbol.asyncDispose]: async () => (sqlite.flush(), db.$client.close(), await dir[Symbol.asyncDispose]()) };
}

describe("topics", () => {
  test("a device's topic is created once, stored, and routes both ways", async () => {
    await using t = setup();
    const [a, b] = await Promise.all([t.topics.ensure(CHAT, laptop), t.topics.ensure(CHAT, laptop)]);
    expect(a).toBe(71);
    expect(b).toBe(71);
    expect(t.rec.of("createForumTopic").map((c) => c.payload)).toEqual([{ chat_id: CHAT, name: "laptop" }]);
    expect(await t.topics.ensure(CHAT, laptop)).toBe(71);
    expect(t.rec.of("createForumTopic")).toHaveLength(1);
    expect(await t.topics.threadOf(CHAT, "dev1")).toBe(71);
    expect(await t.topics.deviceOf(CHAT, 71)).toBe("dev1");
    expect(await t.topics.deviceOf(CHAT, 99)).toBeUndefined();
    expect(await t.topics.deviceOf(CHAT, undefined)).toBeUndefined();
  });

  test("without topics (or in a group) nothing is created and nothing has a thread", async () => {
    await using t = setup(false);
    expect(await t.topics.ensure(CHAT, laptop)).toBeUndefined();
    expect(await t.topics.threadOf(CHAT, "dev1")).toBeUndefined();
    await using g = setup(true);
    expect(await g.topics.ensure(-100123, laptop)).toBeUndefined();
    expect(g.rec.of("createForumTopic")).toEqual([]);
  });

  test("a topic the owner deleted: the message goes to the main chat and the next prompt makes a new topic", async () => {
    let gone = true;
    await using t = setup(true, (method, p) => {
      if (method === "sendMessage" && p.message_thread_id !== undefined && gone) throw { ok: false, error_code: 400, description: "Bad Request: message thread not found" };
      return undefined;
    });
    await t.topics.ensure(CHAT, laptop);
    const sent = await t.messenger.send(CHAT, { text: "hello", entities: [] }, { threadId: 71 });
    expect(sent).not.toBeNull();
    expect(t.rec.of("sendMessage").map((c) => c.payload.message_thread_id)).toEqual([71, undefined]);
    expect(await t.topics.threadOf(CHAT, "dev1")).toBeUndefined();
    gone = false;
    expect(await t.topics.ensure(CHAT, laptop)).toBe(72);
  });
});
