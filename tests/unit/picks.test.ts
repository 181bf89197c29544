// Picker buttons carry a token; what they do stays on the relay, for one chat, for a while.
import { describe, expect, test } from "bun:test";
import { decodeCallback, encodeCallback } from "../../src/relay/telegram/callback-data";
import { Picks } from "../../src/relay/telegram/picks";
import { VirtualClock } from "../helpers/virtual-clock";

describe("picks", () => {
  test("a token works in its own chat until it expires, and fits a button whatever the path", async () => {
    const clock = new VirtualClock();
    const picks = new Picks<{ path: string }>(clock, 1000);
    const path = `/home/someone/${"very-long-folder-name/".repeat(20)}`;
    const token = picks.put(1, { path });
    const data = encodeCallback({ kind: "folder", token });
    expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64);
    expect(decodeCallback(data)).toEqual({ kind: "folder", token });
    expect(picks.get(1, token)).toEqual({ path });
    expect(picks.get(2, token)).toBeUndefined();
    await clock.advance(1001);
    expect(picks.get(1, token)).toBeUndefined();
  });

  test("the oldest tokens go once there are too many", () => {
    const clock = new VirtualClock();
    const picks = new Picks<number>(clock, 60_000, 3);
    const tokens = [0, 1, 2, 3, 4].map((n) => picks.put(1, n));
    expect(tokens.map((t) => picks.get(1, t))).toEqual([undefined, undefined, 2, 3, 4]);
  });
});
