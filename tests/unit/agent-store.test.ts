import { describe, expect, test } from "bun:test";
import { appendFileSync, chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { saveAgentConfig } from "../../src/agent/config";
import { Outbox } from "../../src/agent/outbox";
import { AgentStore } from "../../src/agent/store";
import { tmpDir } from "../helpers/tmp";

const started = (turnId: string) => ({ kind: "turn.started" as const, turnId });

describe("agent store", () => {
  test("a restarted agent gets back exactly the unacknowledged events, in order", async () => {
    await using dir = tmpDir();
    const store = new AgentStore(dir.path);
    store.open();
    const box = new Outbox(store, store.loadOutbox());
    for (let i = 0; i < 4; i++) box.add("a", started(`t${i}`), i);
    box.add("b", started("u"), 9);
    box.ack("a", 1);
    const again = store.loadOutbox();
    expect(again.pending.map((e) => [e.sessionId, e.seq])).toEqual([["a", 2], ["a", 3], ["b", 0]]);
    expect(again.lastSeq).toEqual(new Map([["a", 3], ["b", 0]]));
  });

  test("numbering continues after a restart even when everything was acknowledged and compacted", async () => {
    await using dir = tmpDir();
    const store = new AgentStore(dir.path);
    store.open();
    const first = new Outbox(store, store.loadOutbox());
    for (let i = 0; i < 3; i++) first.add("a", started(`t${i}`), i);
    first.ack("a", 2);
    store.compact(first.unacked(), first.lastSeq());
    const second = new Outbox(store, store.loadOutbox());
    expect(second.size).toBe(0);
    // Seq 0 again would be dropped by the relay as a duplicate: the restart notice would be lost.
    expect(second.add("a", started("after-restart"), 10)?.seq).toBe(3);
  });

  test("a torn last line after a crash keeps everything before it", async () => {
    await using dir = tmpDir();
    const store = new AgentStore(dir.path);
    store.open();
    const box = new Outbox(store);
    box.add("a", started("t0"), 0);
    appendFileSync(join(dir.path, "outbox.jsonl"), '{"e":{"sessionId":"a","se');
    expect(store.loadOutbox().pending.map((e) => e.seq)).toEqual([0]);
  });

  test("the data dir lock refuses a second live agent but takes over a dead one's", async () => {
    await using dir = tmpDir();
    const store = new AgentStore(dir.path);
    store.open(process.pid);
    expect(() => new AgentStore(dir.path).open(process.pid + 1)).toThrow(/another ra agent \(pid \d+\) already runs/);
    writeFileSync(join(dir.path, "agent.pid"), "2147483646\n");
    expect(() => new AgentStore(dir.path).open()).not.toThrow();
    expect(statSync(join(dir.path, "agent.pid")).isFile()).toBe(true);
  });
});

describe("outbox while the relay is unreachable", () => {
  const text = (turnId: string, t: string) => ({ kind: "text" as const, turnId, text: t });

  test("consecutive unsent deltas of a turn merge into one event; sent ones are never merged into", () => {
    const box = new Outbox();
    const first = box.add("a", text("t", "Hel"), 1)!;
    box.markSent(first);
    const second = box.add("a", text("t", "lo, "), 2);
    expect(second?.seq).toBe(1);
    expect(box.add("a", text("t", "world"), 3)).toBeNull();
    expect(box.add("a", { kind: "turn.ended", turnId: "t", status: "done", durationMs: 5 }, 4)?.seq).toBe(2);
    expect(box.unacked().map((e) => [e.seq, e.event.kind === "text" ? e.event.text : e.event.kind])).toEqual([[0, "Hel"], [1, "lo, world"], [2, "turn.ended"]]);
  });

  test("merged text survives a restart through the on-disk log", async () => {
    await using dir = tmpDir();
    const store = new AgentStore(dir.path);
    store.open();
    const box = new Outbox(store);
    for (const part of ["one ", "two ", "three"]) box.add("a", text("t", part), 1);
    const again = new Outbox(store, store.loadOutbox());
    expect(again.unacked().map((e) => [e.seq, e.event.kind === "text" && e.event.text])).toEqual([[0, "one two three"]]);
    expect(again.add("a", started("next"), 2)?.seq).toBe(1);
  });

  test("a turn's text past the offline cap is left out, and a marker says how much", () => {
    const box = new Outbox();
    const big = "x".repeat(64 * 1024);
    for (let i = 0; i < 16 * 16; i++) box.add("a", text("t", big), i);
    expect(box.add("a", text("t", "lost"), 999)).toBeNull();
    box.add("a", { kind: "turn.ended", turnId: "t", status: "done", durationMs: 5 }, 1000);
    const tail = box.unacked().slice(-2).map((e) => (e.event.kind === "text" ? e.event.text : e.event.kind));
    expect(tail[0]).toContain("4 characters of output were left out here");
    expect(tail[1]).toBe("turn.ended");
    box.ack("a", box.unacked().at(-1)!.seq);
    expect(box.size).toBe(0);
    expect(box.add("a", text("u", "fits again"), 1001)).not.toBeNull();
  });

  test("the data folder ends up 0700 and its files 0600, whatever they were, and says what it tightened", async () => {
    await using dir = tmpDir();
    const data = join(dir.path, "agent");
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    writeFileSync(join(data, "sessions.json"), "[]", { mode: 0o644 });
    chmodSync(join(data, "sessions.json"), 0o644);
    const said: string[] = [];
    const store = new AgentStore(data, (message) => said.push(message));
    store.open();
    store.appendEvent({ sessionId: "s", seq: 0, event: started("t"), at: 0 } as Parameters<AgentStore["appendEvent"]>[0]);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(data)) expect(statSync(join(data, name)).mode & 0o777, name).toBe(0o600);
    expect(readdirSync(data).sort()).toEqual(["agent.pid", "outbox.jsonl", "sessions.json"]);
    expect(said).toEqual([
      `the agent's data folder ${data} was readable by others (mode 0755); made it 0700`,
      `the agent's file ${join(data, "sessions.json")} was readable by others (mode 0644); made it 0600`,
    ]);
    store.release();
    new AgentStore(data, (message) => said.push(message)).open();
    expect(said).toHaveLength(2);
  });

  test("ra pair's config: 0600 in its own folder, which is tightened to 0700 only when it is ra's folder", async () => {
    await using dir = tmpDir();
    const config = { relay: "https://relay.example.com", deviceId: "d1", name: "pi", token: "ra_dev_x" };
    const own = join(dir.path, ".config", "ra");
    mkdirSync(own, { recursive: true, mode: 0o755 });
    chmodSync(own, 0o755);
    const said: string[] = [];
    saveAgentConfig(join(own, "config.json"), config, (m) => said.push(m));
    expect(statSync(own).mode & 0o777).toBe(0o700);
    expect(statSync(join(own, "config.json")).mode & 0o777).toBe(0o600);
    expect(said).toEqual([`${own} was readable by others (mode 0755); made it 0700 (it holds this machine's token)`]);
    const shared = join(dir.path, "project");
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    saveAgentConfig(join(shared, "ra.json"), config, (m) => said.push(m));
    expect(statSync(shared).mode & 0o777).toBe(0o755);
    expect(statSync(join(shared, "ra.json")).mode & 0o777).toBe(0o600);
    expect(said).toHaveLength(1);
  });
});
