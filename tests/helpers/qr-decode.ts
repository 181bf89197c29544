// An independent QR decoder written from ISO/IEC 18004 for tests: format bits from the standard's
// table, function patterns, zigzag, masks, Reed-Solomon syndromes, byte mode. Versions 1-10, L/M.
import type { EcLevel, QrCode } from "../../src/qr/encode";

/** ISO/IEC 18004 Table C.1: format information after masking, mask 0..7. */
export const FORMAT_TABLE: Record<EcLevel, string[]> = {
  L: ["111011111000100", "111001011110011", "111110110101010", "111100010011101", "110011000101111", "110001100011000", "110110001000001", "110100101110110"],
  M: ["101010000010010", "101000100100101", "101111001111100", "101101101001011", "100010111111001", "100000011001110", "100111110010111", "100101010100000"],
};
/** Annex D: version information for versions 7..10. */
export const VERSION_TABLE: Record<number, string> = { 7: "000111110010010100", 8: "001000010110111100", 9: "001001101010011001", 10: "001010010011010011" };
/** Table 9 (blocks) and Annex E (alignment centres) for the versions tested. */
const SPEC: Record<string, { ec: number; blocks: number[]; align: number[] }> = {
  "1-M": { ec: 10, blocks: [16], align: [] },
  "2-L": { ec: 10, blocks: [34], align: [6, 18] },
  "2-M": { ec: 16, blocks: [28], align: [6, 18] },
  "3-M": { ec: 26, blocks: [44], align: [6, 22] },
  "4-M": { ec: 18, blocks: [32, 32], align: [6, 26] },
  "5-M": { ec: 24, blocks: [43, 43], align: [6, 30] },
  "6-M": { ec: 16, blocks: [27, 27, 27, 27], align: [6, 34] },
  "7-M": { ec: 18, blocks: [31, 31, 31, 31], align: [6, 22, 38] },
  "8-M": { ec: 22, blocks: [38, 38, 39, 39], align: [6, 24, 42] },
  "9-M": { ec: 22, blocks: [36, 36, 36, 37, 37], align: [6, 26, 46] },
  "10-L": { ec: 18, blocks: [68, 68, 69, 69], align: [6, 28, 50] },
  "10-M": { ec: 26, blocks: [43, 43, 43, 43, 44], align: [6, 28, 50] },
};

// GF(256) by log tables, independent of the encoder's bitwise multiply.
const EXP = new Array<number>(512);
const LOG = new Array<number>(256);
for (let i = 0, x = 1; i < 255; i++, x = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1) {
  EXP[i] = x;
  LOG[x] = i;
}
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);

const MASKS: ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

export function decodeQr(qr: Pick<QrCode, "modules">): { ecLevel: EcLevel; mask: number; text: string; syndromesZero: boolean } {
  const m = qr.modules;
  const size = m.length;
  const version = (size - 17) / 4;
  const at = (x: number, y: number) => m[y]![x]!;
  // Format information, copy 1 (around the top-left finder), bit 14 first.
  const copy1: boolean[] = [];
  for (let x = 0; x <= 5; x++) copy1.push(at(x, 8));
  copy1.push(at(7, 8), at(8, 8), at(8, 7));
  for (let y = 5; y >= 0; y--) copy1.push(at(8, y));
  const copy2: boolean[] = [];
  for (let y = size - 1; y >= size - 7; y--) copy2.push(at(8, y));
  for (let x = size - 8; x < size; x++) copy2.push(at(x, 8));
  const f1 = copy1.map((b) => (b ? "1" : "0")).join("");
  const f2 = copy2.map((b) => (b ? "1" : "0")).join("");
  if (f1 !== f2) throw new Error(`format copies differ: ${f1} vs ${f2}`);
  const ecLevel = (["L", "M"] as const).find((l) => FORMAT_TABLE[l].includes(f1));
  if (!ecLevel) throw new Error(`format bits ${f1} are not a valid L/M code`);
  const mask = FORMAT_TABLE[ecLevel].indexOf(f1);
  const spec = SPEC[`${version}-${ecLevel}`]!;

  const centres = spec.align;
  const inAlignment = (x: number, y: number) =>
    centres.some((cx, i) => centres.some((cy, j) => {
      const corner = (i === 0 && j === 0) || (i === 0 && j === centres.length - 1) || (i === centres.length - 1 && j === 0);
      return !corner && Math.abs(x - cx) <= 2 && Math.abs(y - cy) <= 2;
    }));
  const isFunction = (x: number, y: number) =>
    (x < 9 && y < 9) || (x >= size - 8 && y < 9) || (x < 9 && y >= size - 8) || x === 6 || y === 6 || inAlignment(x, y) ||
    (version >= 7 && ((x >= size - 11 && x < size - 8 && y < 6) || (y >= size - 11 && y < size - 8 && x < 6)));

  const bits: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let v = 0; v < size; v++) {
      const y = upward ? size - 1 - v : v;
      for (const x of [right, right - 1]) if (!isFunction(x, y)) bits.push(Number(at(x, y) !== MASKS[mask]!(x, y)));
    }
  }
  const codewords: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));

  const blocks = spec.blocks.map(() => [] as number[]);
  let k = 0;
  for (let i = 0; i < Math.max(...spec.blocks); i++) spec.blocks.forEach((len, b) => i < len && blocks[b]!.push(codewords[k++]!));
  const ecBlocks = spec.blocks.map(() => [] as number[]);
  for (let i = 0; i < spec.ec; i++) ecBlocks.forEach((block) => block.push(codewords[k++]!));
  let syndromesZero = true;
  blocks.forEach((block, b) => {
    const all = [...block, ...ecBlocks[b]!];
    for (let i = 0; i < spec.ec; i++) {
      let s = 0;
      for (const c of all) s = mul(s, EXP[i]!) ^ c; // Horner at α^i
      if (s !== 0) syndromesZero = false;
    }
  });

  const data = blocks.flat();
  const stream = data.flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >> (7 - i)) & 1));
  let pos = 0;
  const read = (n: number) => stream.slice(pos, (pos += n)).reduce((a, b) => (a << 1) | b, 0);
  if (read(4) !== 0b0100) throw new Error("not byte mode");
  const count = read(version < 10 ? 8 : 16);
  const bytes = Uint8Array.from({ length: count }, () => read(8));
  return { ecLevel, mask, text: new TextDecoder().decode(bytes), syndromesZero };
}

/** Reads a QR code drawn by renderQr (half blocks, light modules drawn, 2-module quiet zone). */
export function parseTerminalQr(art: string): Pick<QrCode, "modules"> {
  const lines = art.split("\n");
  const width = [...lines[0]!].length;
  const light: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line];
    light.push(chars.map((c) => c === "█" || c === "▀"));
    light.push(chars.map((c) => c === "█" || c === "▄"));
  }
  const size = width - 4;
  return { modules: Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => !light[y + 2]![x + 2]!)) };
}
