import { describe, expect, test } from "bun:test";
import { maskSecrets } from "../../src/relay/mask-secrets";

describe("secret masking", () => {
  const cases: [string, string, string][] = [
    ["Anthropic key", "key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123", "sk-ant-api03"],
    ["AWS access key", "AKIAIOSFODNN7EXAMPLE in config", "IOSFODNN7EXAMPLE"],
    ["GitHub token", "ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"],
    ["Telegram bot token", "bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"],
    ["JWT", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop", "eyJzdWIiOiIxMjM0In0"],
    [".env assignment", "DATABASE_PASSWORD=hunter2hunter2\nOTHER=1", "hunter2hunter2"],
    ["quoted assignment", 'export API_KEY="s3cr3t-value"', "s3cr3t-value"],
    ["URL credentials", "postgres://app:p4ssw0rd@db:5432/x", "p4ssw0rd"],
    ["private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAA"],
  ];
  for (const [name, input, secret] of cases) {
    test(`masks a ${name}`, () => {
      const out = maskSecrets(input);
      expect(out.text).not.toContain(secret);
      expect(out.text).toContain("[masked]");
      expect(out.masked).toBeGreaterThan(0);
    });
  }

  test("keeps the name of an assignment so the owner knows what was hidden", () => {
    expect(maskSecrets("GITHUB_TOKEN=abcdef123456").text).toBe("GITHUB_TOKEN=abcd…[masked]");
  });

  test("leaves ordinary text and code alone", () => {
    const text = "Run `npm test`; the token budget is 4096 and PASSWORD_MIN_LENGTH is checked in auth.ts.\nconst key = getKey();";
    expect(maskSecrets(text)).toEqual({ text, masked: 0 });
  });
});
