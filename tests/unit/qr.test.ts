// The QR encoder checked against the standard's published vectors and by an independent decoder
// written from the spec here: format and version bits, function patterns, Reed-Solomon syndromes,
// the zigzag, masks and the byte-mode payload.
import { describe, expect, test } from "bun:test";
import { encodeQr, formatBits, reedSolomonDivisor, reedSolomonRemainder, versionBits, type EcLevel, type QrCode } from "../../src/qr/encode";
import { renderQr } from "../../src/qr/terminal";
import { decodeQr as decode, FORMAT_TABLE, parseTerminalQr, VERSION_TABLE } from "../helpers/qr-decode";

function finderAt(qr: QrCode, x0: number, y0: number): boolean {
  for (let dy = 0; dy < 7; dy++) {
    for (let dx = 0; dx < 7; dx++) {
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      if (qr.modules[y0 + dy]![x0 + dx] !== (ring !== 2)) return false;
    }
  }
  return true;
}

describe("QR building blocks against the standard's vectors", () => {
  test("Reed-Solomon: the HELLO WORLD 1-M example's error correction codewords", () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect(reedSolomonRemainder(data, reedSolomonDivisor(10))).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });
  test("format information for every level and mask", () => {
    for (const level of ["L", "M"] as const) for (let mask = 0; mask < 8; mask++) expect(formatBits(level, mask).toString(2).padStart(15, "0")).toBe(FORMAT_TABLE[level][mask]!);
  });
  test("version information for versions 7 to 10", () => {
    for (const v of [7, 8, 9, 10]) expect(versionBits(v).toString(2).padStart(18, "0")).toBe(VERSION_TABLE[v]!);
  });
});

describe("encodeQr", () => {
  const link = "https://t.me/ra_test_bot?start=pair_AbCdEfGhIjKlMnOpQrStUv";
  const cases: [string, EcLevel, number][] = [
    ["", "M", 1],
    ["ra", "M", 1],
    ["x".repeat(14), "M", 1],
    ["x".repeat(15), "M", 2],
    ["x".repeat(32), "L", 2],
    [link, "M", 4],
    ["https://t.me/a_thirty_two_character_bot_name_?start=pair_AbCdEfGhIjKlMnOpQrStUv", "M", 5],
    ["ü€ 👍 ".repeat(8), "M", 6],
    ["y".repeat(100), "M", 6],
    ["y".repeat(120), "M", 7],
    ["y".repeat(150), "M", 8],
    ["z".repeat(180), "M", 9],
    ["z".repeat(181), "M", 10],
    ["z".repeat(213), "M", 10],
    ["z".repeat(271), "L", 10],
  ];
  for (const [text, level, version] of cases) {
    test(`${text.length} chars at ${level} → version ${version}, decodes back`, () => {
      const qr = encodeQr(text, level);
      expect(qr.version).toBe(version);
      expect(qr.size).toBe(version * 4 + 17);
      expect(finderAt(qr, 0, 0) && finderAt(qr, qr.size - 7, 0) && finderAt(qr, 0, qr.size - 7)).toBe(true);
      for (let i = 8; i < qr.size - 8; i++) expect([qr.modules[6]![i], qr.modules[i]![6]]).toEqual([i % 2 === 0, i % 2 === 0]);
      expect(qr.modules[qr.size - 8]![8]).toBe(true);
      const decoded = decode(qr);
      expect(decoded).toEqual({ ecLevel: level, mask: qr.mask, text, syndromesZero: true });
    });
  }

  test("too long for version 10 is a clear error", () => {
    expect(() => encodeQr("z".repeat(214), "M")).toThrow("214 bytes do not fit a version 10-M QR code");
    expect(() => encodeQr("z".repeat(272), "L")).toThrow("272 bytes do not fit a version 10-L QR code");
  });
});

describe("renderQr", () => {
  test("two module rows per line, with a light quiet zone, in block characters only", () => {
    const qr = encodeQr("ra");
    const lines = renderQr(qr).split("\n");
    expect(lines).toHaveLength(Math.ceil((qr.size + 4) / 2));
    expect(lines.every((l) => [...l].length === qr.size + 4 && /^[█▀▄ ]+$/.test(l))).toBe(true);
    expect(lines[0]).toBe("█".repeat(qr.size + 4));
    // Line 2 covers module rows 0 and 1: the finder's dark top edge over its light inner ring.
    expect([...lines[1]!].slice(2, 9).join("")).toBe(" ▄▄▄▄▄ ");
  });
  test("what it draws reads back as the same code, odd and even sizes alike", () => {
    for (const text of ["ra", "https://t.me/ra_test_bot?start=pair_AbCdEfGhIjKlMnOpQrStUv"]) {
      const qr = encodeQr(text);
      expect(parseTerminalQr(renderQr(qr)).modules).toEqual(qr.modules);
    }
  });
});
