// Three `ra serve --webhook` instances on one Postgres and one Redis behind one public URL (a load
// balancer): Telegram's deliveries land on each relay in turn, every relay accepts them (one
// secret, derived from the bot token), the one leading the bot handles each update once wherever
// it landed, and the answers stream back once. kill -9 of the leading relay: the updates delivered
// to the others meanwhile are handled by the next leader, once. Zero 429s.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startCluster, type Cluster } from "../helpers/cluster";
import { OWNER } from "../helpers/stack";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ webhook: true });
  const others = cluster.relays.filter((r) => r !== cluster.leader());
  await cluster.pairAndStart(others[0]!, others[1]!);
  cluster.balancer.prefer(undefined); // deliveries go to the relays in turn
}, 120_000);
afterAll(async () => {
  await cluster?.[Symbol.asyncDispose]();
});

describe("three relays behind one webhook URL", () => {
  test("deliveries land on every relay, each update is handled once and its answer streams back once", async () => {
    const { telegram, relays, waitForText, count } = cluster;
    const from = telegram.webhookDeliveries.length;
    const routedFrom = cluster.balancer.routed.length;
    for (let i = 1; i <= 4; i++) {
      telegram.userText(OWNER, `webhook prompt ${i}`);
      await waitForText(new RegExp(`echo: webhook prompt ${i}[\\s\\S]*✅ laptop`));
    }
    for (let i = 1; i <= 4; i++) expect(count(`echo: webhook prompt ${i}`)).toBe(1);
    const deliveries = telegram.webhookDeliveries.slice(from);
    expect(deliveries.every((d) => d.status === 200)).toBe(true);
    // Every relay took deliveries (the balancer spread the connections) and refused none.
    for (const relay of relays) {
      expect(cluster.balancer.routed.slice(routedFrom)).toContain(relay.port);
      expect(relay.proc.output).not.toContain("refused a webhook request");
    }
  });

  test("kill -9 of the leading relay: what the others received meanwhile is handled by the next leader, once", async () => {
    const { telegram, leader, waitForText, count } = cluster;
    await cluster.kill(leader()!);
    telegram.userText(OWNER, "delivered while nobody leads");
    await telegram.waitFor(() => leader(), { timeoutMs: 20_000, message: "another relay to take the lead" });
    await waitForText(/echo: delivered while nobody leads[\s\S]*✅ laptop/);
    expect(count("echo: delivered while nobody leads")).toBe(1);
  });

  test("no call was refused with a 429 across the relays", () => {
    expect(cluster.telegram.limits!.rejected).toEqual([]);
  });
});
