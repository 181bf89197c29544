// Four `ra serve` instances on one Postgres and one Redis, behind a load balancer, through the
// compiled binary and the real claude CLI, polling: one relay leads the bot (polls and draws the
// chats), the machine pairs through and is connected to others, and a prompt reaches it and
// streams back once; /cd lists its folders. kill -9 of the relay holding the machine with an
// approval card open: denied once. kill -9 of the holder mid-turn: the agent reconnects to
// another, the turn completes, every chunk shown once. kill -9 of the leading relay: another takes
// the lead within seconds and no update is lost or handled twice. The fake Bot API enforces
// Telegram's limits: zero 429s across the relays.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { WebServerMessage, WebSnapshot } from "../../src/proto/web";
import { startCluster, type Cluster } from "../helpers/cluster";
import { cookieOf, openApp, postLogin } from "../helpers/web-client";
import { OWNER } from "../helpers/stack";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ relays: 4 });
  const [pairVia, agentVia] = cluster.relays.filter((r) => r !== cluster.leader());
  // `ra pair` waits on a relay that does not lead the bot: the owner's code reaches it through Redis.
  await cluster.pairAndStart(pairVia!, agentVia!);
}, 120_000);
afterAll(async () => {
  await cluster?.[Symbol.asyncDispose]();
});

const SLOW_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} of a long answer.`).join(" ");

describe("four relays on one Postgres and one Redis, polling", () => {
  test("the machine is connected to a relay that does not lead the bot: a prompt reaches it and the answer streams back once", async () => {
    const { telegram, leader, holderOf, waitForText, count, texts, workdir } = cluster;
    expect(holderOf("laptop")).not.toBe(leader());
    telegram.userText(OWNER, "hello across relays");
    await waitForText(/echo: hello across relays[\s\S]*✅ laptop/);
    expect(count("echo: hello across relays")).toBe(1);
    // What the machine allows (its folder) is known to the leading relay too.
    expect(texts().find((t) => t.includes("echo: hello across relays"))).toContain(`📁 ${workdir}`);
  });

  test("/cd on the leading relay lists the folders of the machine connected to another (its answer passed back through Redis)", async () => {
    const { telegram, workdir } = cluster;
    mkdirSync(join(workdir, "src"));
    telegram.userText(OWNER, "/cd");
    await telegram.waitFor(() => cluster.texts().some((t) => t.includes(`\n📁 ${workdir}: 1 folder (1–1 of 1).`)), { message: "the folder picker with the machine's folder" });
  });

  test("/get on the leading relay: the machine uploads to another relay, which passes the file on through Redis; a refusal too", async () => {
    const { telegram, relays, balancer, leader, holderOf, workdir } = cluster;
    const uploadTo = relays.find((r) => r !== leader() && r !== holderOf("laptop"))!;
    balancer.prefer(uploadTo.port);
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 10, 13]);
    writeFileSync(join(workdir, "data.bin"), bytes);
    const documents = () => telegram.documents(OWNER);
    const before = documents().length;
    const routedBefore = balancer.routed.length;
    telegram.userText(OWNER, "/get data.bin");
    const doc = await telegram.waitFor(() => documents()[before], { message: "the file as a document" });
    expect(doc.file_name).toBe("data.bin");
    expect([...doc.bytes]).toEqual([...bytes]);
    expect(balancer.routed.slice(routedBefore)).toContain(uploadTo.port);
    telegram.userText(OWNER, "/get nope.txt");
    await cluster.waitForText(/📎 laptop: there is no nope\.txt in /);
    balancer.prefer(holderOf("laptop")!.port);
  });

  test("a browser signed in on a relay that holds nothing: a link from the bot works there, its prompt runs on the machine's relay and streams into the browser, Telegram shows it once", async () => {
    const { telegram, model, relays, leader, holderOf, waitForText, count } = cluster;
    const web = relays.find((r) => r !== leader() && r !== holderOf("laptop"))!;
    const origin = `http://127.0.0.1:${web.port}`;
    telegram.userText(OWNER, "/web");
    await telegram.waitFor(() => cluster.texts().some((t) => /\/login\?t=/.test(t)), { message: "the bot's /web link" });
    const link = cluster.texts().find((t) => /\/login\?t=/.test(t))!.match(/\/login\?t=([A-Za-z0-9_-]+)/)![1]!;
    const signedIn = await postLogin(origin, { t: link });
    expect(signedIn.status).toBe(303);
    const app = await openApp(origin, cookieOf(signedIn)!);
    try {
      const snapshot = await app.waitFor<WebSnapshot>((m) => m.type === "snapshot", "the snapshot");
      const laptop = snapshot.devices.find((d) => d.name === "laptop")!;
      expect(laptop.state).toBe("online");
      model.enqueue([{ text: "Streamed to a browser on a third relay.", chunkSize: 5 }]);
      const result = await app.command({ type: "prompt", deviceId: laptop.id, text: "from the web" });
      expect(result.ok).toBe(true);
      const ended = await app.until(() => app.messages.find((m) => m.type === "turn" && m.turn.id === result.message && m.turn.status === "done"), "the turn to end in the browser");
      expect(ended).toBeDefined();
      const pieces = app.messages.filter((m): m is Extract<WebServerMessage, { type: "text" }> => m.type === "text" && m.turnId === result.message).map((m) => m.text);
      expect(pieces.join("")).toBe("Streamed to a browser on a third relay.");
      await waitForText(/Streamed to a browser on a third relay\.[\s\S]*✅ laptop/, "the same turn in Telegram");
      expect(count("Streamed to a browser on a third relay.")).toBe(1);
      // The same session cookie works on another relay (the balancer may send the next request anywhere).
      const elsewhere = await openApp(`http://127.0.0.1:${leader()!.port}`, cookieOf(signedIn)!);
      const again = await elsewhere.waitFor<WebSnapshot>((m) => m.type === "snapshot", "the snapshot on another relay");
      elsewhere.close();
      expect(again.devices.map((d) => d.name)).toContain("laptop");
    } finally {
      app.close();
    }
  });

  test("kill -9 of the relay holding the machine while an approval card is open: denied once, claude hears it, the turn ends on the relay the agent reconnected to", async () => {
    const { telegram, model, relays, balancer, leader, holderOf, waitForText, texts, workdir } = cluster;
    const holder = holderOf("laptop")!;
    balancer.prefer(relays.find((r) => r !== holder && r !== leader())!.port);
    const file = join(workdir, "never.txt");
    model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "x" } } }], [{ text: "OK, it was denied." }]);
    telegram.userText(OWNER, "write while the relay dies");
    await waitForText(/Write wants to/);
    await cluster.kill(holder);
    await waitForText(/denied: laptop disconnected/, "the card to say denied");
    await waitForText(/OK, it was denied\.[\s\S]*✅ laptop/, "the turn to finish after the reconnect");
    expect(await Bun.file(file).exists()).toBe(false);
    expect(texts().filter((t) => t.includes("denied: laptop disconnected")).length).toBe(1);
    expect(holderOf("laptop")).not.toBe(holder);
  });

  test("kill -9 of the relay holding the machine mid-turn: the agent reconnects to another, the turn completes, every chunk once", async () => {
    const { telegram, model, relays, balancer, leader, holderOf, waitForText, texts } = cluster;
    const holder = holderOf("laptop")!;
    balancer.prefer(relays.find((r) => r !== holder && r !== leader())!.port);
    model.enqueue([{ text: SLOW_ANSWER, chunkSize: 12, delayMs: 40 }]);
    telegram.userText(OWNER, "tell me a long story");
    await waitForText(/Sentence 3 of/);
    await cluster.kill(holder);
    await cluster.agent.waitFor(/connected to .* as "laptop"[\s\S]*connected to .* as "laptop"/, "the agent to connect to another relay", 45_000);
    await waitForText(/Sentence 40 of a long answer\.[\s\S]*✅ laptop/, "the whole answer after the holder died");
    const all = texts().join("\n");
    expect(all.split("Sentence 1 of").length - 1).toBe(1);
    expect(all).toContain(SLOW_ANSWER);
    expect(all.split("Sentence 40 of a long answer.").length - 1).toBe(1);
    expect(holderOf("laptop")).not.toBe(holder);
  });

  test("kill -9 of the leading relay: another takes the lead within seconds, the prompt sent meanwhile is answered once", async () => {
    const { telegram, leader, waitForText, count } = cluster;
    await cluster.kill(leader()!);
    telegram.userText(OWNER, "while nobody leads");
    await telegram.waitFor(() => leader(), { timeoutMs: 20_000, message: "another relay to take the lead" });
    await waitForText(/echo: while nobody leads[\s\S]*✅ laptop/);
    telegram.userText(OWNER, "after the takeover");
    await waitForText(/echo: after the takeover[\s\S]*✅ laptop/);
    expect(count("echo: while nobody leads")).toBe(1);
    expect(count("echo: after the takeover")).toBe(1);
  });

  test("no call was refused with a 429 across the relays", () => {
    expect(cluster.telegram.limits!.rejected).toEqual([]);
  });
});
