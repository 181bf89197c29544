import { describe, expect, test } from "bun:test";
import { decodeAgentFrame, decodeRelayFrame, encode, type AgentFrame, type RelayFrame } from "../../src/proto";

const facts = { hostname: "lap", os: "linux", arch: "x64", user: "me", agentVersion: "0.1.0" };

describe("proto codec", () => {
  const validAgent: Parameters<typeof encode<AgentFrame>>[0][] = [
    { type: "hello", facts, sessions: [{ sessionId: "s1", busy: true }] },
    { type: "event", sessionId: "s1", seq: 0, at: 1, event: { kind: "turn.started", turnId: "t1" } },
    { type: "event", sessionId: "s1", seq: 1, at: 1, event: { kind: "text", turnId: "t1", text: "hi" } },
    { type: "event", sessionId: "s1", seq: 2, at: 1, event: { kind: "tool", turnId: "t1", toolUseId: "u", name: "Bash", summary: "ls" } },
    { type: "event", sessionId: "s1", seq: 3, at: 1, event: { kind: "turn.ended", turnId: "t1", status: "done", durationMs: 5, costUsd: 0.01, turns: 1 } },
    { type: "event", sessionId: "s1", seq: 4, at: 1, event: { kind: "notice", level: "warn", text: "careful" } },
    { type: "ping", t: 5 },
    { type: "error", code: "busy", message: "later" },
    { type: "pair.hello", name: "laptop", facts },
  ];
  for (const frame of validAgent) {
    test(`agent frame ${frame.type}${"event" in frame ? `/${frame.event.kind}` : ""} round-trips`, () => {
      const decoded = decodeAgentFrame(encode<AgentFrame>(frame));
      expect(decoded).toEqual({ ok: true, frame: { v: 1, ...frame } as AgentFrame });
    });
  }

  const validRelay: Parameters<typeof encode<RelayFrame>>[0][] = [
    { type: "welcome", deviceId: "d1", name: "laptop", serverTime: 1, acks: [{ sessionId: "s1", seq: 3 }] },
    { type: "ack", sessionId: "s1", seq: 3 },
    { type: "prompt", sessionId: "s1", turnId: "t2", text: "go", resume: "abc" },
    { type: "stop", sessionId: "s1" },
    { type: "session.close", sessionId: "s1" },
    { type: "pair.code", code: "BCDFG-HJKLM", expiresAt: 9 },
    { type: "pair.done", deviceId: "d1", name: "laptop", token: "ra_dev_x" },
    { type: "pair.rejected", reason: "expired" },
  ];
  for (const frame of validRelay) {
    test(`relay frame ${frame.type} round-trips`, () => {
      expect(decodeRelayFrame(encode<RelayFrame>(frame))).toEqual({ ok: true, frame: { v: 1, ...frame } as RelayFrame });
    });
  }

  test("rejects text that is not JSON", () => {
    expect(decodeAgentFrame("{nope")).toEqual({ ok: false, code: "bad_frame", message: "frame is not JSON" });
  });

  test("rejects another protocol version with an actionable message", () => {
    const decoded = decodeAgentFrame(JSON.stringify({ v: 2, type: "ping", t: 1 }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.code).toBe("unsupported_version");
      expect(decoded.message).toContain("update ra on both ends");
    }
  });

  test("rejects unknown frame types and names the field", () => {
    const decoded = decodeAgentFrame(JSON.stringify({ v: 1, type: "launch_missiles" }));
    expect(decoded).toMatchObject({ ok: false, code: "bad_frame" });
    if (!decoded.ok) expect(decoded.message).toContain("type");
  });

  test("rejects a negative seq and an unknown event kind", () => {
    expect(decodeAgentFrame(JSON.stringify({ v: 1, type: "event", sessionId: "s", seq: -1, at: 0, event: { kind: "text", turnId: "t", text: "" } })).ok).toBe(false);
    expect(decodeAgentFrame(JSON.stringify({ v: 1, type: "event", sessionId: "s", seq: 0, at: 0, event: { kind: "rm -rf", turnId: "t" } })).ok).toBe(false);
  });

  test("rejects ids with characters outside the id alphabet", () => {
    expect(decodeRelayFrame(JSON.stringify({ v: 1, type: "stop", sessionId: "../../etc" })).ok).toBe(false);
  });

  test("rejects frames over 1 MiB before parsing", () => {
    const big = JSON.stringify({ v: 1, type: "ping", t: 1, pad: "x".repeat(1 << 20) });
    expect(decodeAgentFrame(big)).toEqual({ ok: false, code: "bad_frame", message: "frame larger than 1 MiB" });
  });
});
