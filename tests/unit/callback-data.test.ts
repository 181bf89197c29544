import { describe, expect, test } from "bun:test";
import { type Callback, decodeCallback, encodeCallback } from "../../src/relay/telegram/callback-data";

const ID = "AbC_12-xyZ09";
const every: Callback[] = [
  { kind: "approval", approvalId: ID, action: "a" },
  { kind: "approval", approvalId: ID, action: "q7" },
  { kind: "revoke", deviceId: ID, step: "?" },
  { kind: "pair", claimId: ID, accept: false },
  { kind: "mode", mode: "acceptEdits" },
  { kind: "use", deviceId: ID },
  { kind: "runOnce", deviceId: ID },
  { kind: "admit", deviceId: ID },
  { kind: "stop", turnId: ID },
  { kind: "cancel", turnId: ID },
  { kind: "status", turnId: ID },
  { kind: "keepWaiting", turnId: ID },
  { kind: "removeUser", userId: 3003, step: "y" },
  { kind: "invite", inviteId: ID, accept: true },
  { kind: "file", turnId: ID, index: 7 },
  { kind: "diff", turnId: ID },
  { kind: "schedule", scheduleId: ID, action: "s" },
  { kind: "auto", minutes: 1440, cents: 10000, scopes: 5, deviceId: ID, action: "t2" },
  { kind: "auto", minutes: 0, cents: 200, scopes: 7, deviceId: ID, action: "go" },
  { kind: "webRevoke", sessionId: ID },
  { kind: "session", sessionId: ID },
  { kind: "transcript", sessionId: ID },
  { kind: "folder", token: ID },
  { kind: "desk", token: ID },
];

describe("callback data", () => {
  test("every kind of button round-trips and fits Telegram's 64 bytes", () => {
    for (const c of every) {
      const data = encodeCallback(c);
      expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64);
      expect(decodeCallback(data)).toEqual(c);
    }
  });

  test("buttons already sent keep their meaning (the wire format of a kind never changes)", () => {
    expect(decodeCallback(`ap:${ID}:s`)).toEqual({ kind: "approval", approvalId: ID, action: "s" });
    expect(decodeCallback(`pair:${ID}:y`)).toEqual({ kind: "pair", claimId: ID, accept: true });
    expect(decodeCallback(`st:${ID}`)).toEqual({ kind: "status", turnId: ID });
    expect(decodeCallback(`kw:${ID}`)).toEqual({ kind: "keepWaiting", turnId: ID });
    expect(decodeCallback("usr:3003:?")).toEqual({ kind: "removeUser", userId: 3003, step: "?" });
    expect(decodeCallback("mode:plan")).toEqual({ kind: "mode", mode: "plan" });
  });

  test("forged, garbled or unknown data means no button", () => {
    for (const data of ["", "ap", `ap:${ID}`, `ap:${ID}:z`, `ap:${ID}:a:extra`, "mode:everything", `use:${ID}:x`, "usr:abc:y", `pair:${ID}:?`, "nope:1", `fo:${ID}:x`, "dk:/etc/passwd", `stop:../../etc`, `use:${"x".repeat(60)}`]) {
      expect(decodeCallback(data)).toBeUndefined();
    }
  });
});
