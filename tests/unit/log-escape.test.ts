import { afterEach, describe, expect, test } from "bun:test";
import { configureLogging, createLog, untrusted } from "../../src/log";
import { redact } from "../../src/redact";

/** What the log reporters write to stderr while `fn` runs. */
function captureStderr(fn: () => void): string {
  const original = process.stderr.write.bind(process.stderr);
  let out = "";
  process.stderr.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = original;
  }
  return out;
}

afterEach(() => configureLogging("info", "pretty"));

describe("device-supplied strings in logs", () => {
  const forged = "laptop\n12:00:00 INFO  [relay] owner paired \"evil\"\u001b[2J\u202e\u0085";

  test("untrusted() quotes and escapes newlines, ANSI escapes, bidi and C1 controls", () => {
    expect(untrusted(forged)).toBe('"laptop\\n12:00:00 INFO  [relay] owner paired \\"evil\\"\\u001b[2J\\u202e\\u0085"');
    expect(untrusted("desk")).toBe('"desk"');
    expect(untrusted("x".repeat(400))).toBe(`"${"x".repeat(300)}…"`);
  });

  test("a forged device name stays on its one log line, pretty or JSON", () => {
    configureLogging("info", "pretty");
    const pretty = captureStderr(() => createLog("relay").info(`${untrusted(forged)} connected from 127.0.0.1`));
    expect(pretty.split("\n").filter(Boolean)).toHaveLength(1);
    expect(pretty).not.toContain("\u001b");
    configureLogging("info", "json");
    const json = captureStderr(() => createLog("relay").info(`${untrusted(forged)} connected`));
    expect(json.split("\n").filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(json).msg).toStartWith('"laptop\\n12:00:00');
  });

  test("error texts are logged with secrets masked, and JSON data stays JSON", () => {
    const key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";
    expect(redact(`claude failed: invalid x-api-key ${key}`)).toBe("claude failed: invalid x-api-key sk-a…[masked]");
    configureLogging("info", "json");
    const out = captureStderr(() => createLog("agent").warn("turn failed", { error: `-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret`, url: "mysql://u:abc", host: "x@y" }));
    expect(out).not.toContain("MIIEsecret");
    expect(() => JSON.parse(out)).not.toThrow();
  });
});
