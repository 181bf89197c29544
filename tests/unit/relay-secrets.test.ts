import { describe, expect, test } from "bun:test";
import { redact } from "../../src/redact";
import { newDeviceToken, newPairCode, normalizePairCode, PAIR_ALPHABET } from "../../src/relay/secrets";

describe("pairing codes", () => {
  test("are 10 characters of the base-20 alphabet shown as XXXXX-XXXXX", () => {
    for (let i = 0; i < 200; i++) {
      const code = newPairCode();
      expect(code).toMatch(new RegExp(`^[${PAIR_ALPHABET}]{5}-[${PAIR_ALPHABET}]{5}$`));
    }
  });
  test("normalise case, spaces, dashes and full-width forms", () => {
    expect(normalizePairCode("bcdfg hjklm")).toBe("BCDFG-HJKLM");
    expect(normalizePairCode("ＢＣＤＦＧ-ＨＪＫＬＭ")).toBe("BCDFG-HJKLM");
    expect(normalizePairCode("BCDFG_HJKLM")).toBe("BCDFG-HJKLM");
  });
  test("reject vowels, digits, look-alikes and wrong lengths", () => {
    expect(normalizePairCode("ABCDE-FGHJK")).toBeNull();
    expect(normalizePairCode("BCDFG-HJKL1")).toBeNull();
    expect(normalizePairCode("ВСDFG-HJKLM")).toBeNull(); // Cyrillic В and С
    expect(normalizePairCode("BCDFG-HJKL")).toBeNull();
  });
});

describe("device tokens", () => {
  test("are prefixed, 256-bit and unique", () => {
    const a = newDeviceToken();
    expect(a).toMatch(/^ra_dev_[0-9A-Za-z]{43}$/);
    expect(newDeviceToken()).not.toBe(a);
  });
  test("never survive redaction, nor do bot tokens or bearer headers", () => {
    const token = newDeviceToken();
    const text = `token ${token} bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 Authorization: Bearer abc.def`;
    const out = redact(text);
    expect(out).not.toContain(token);
    expect(out).not.toContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0");
    expect(out).not.toContain("abc.def");
  });
});
