// Adversarial input for the secret masker: random mixes of assignment names, separators, secret
// prefixes and long runs of one character, up to 300 KB. Invariants only; the time bound is in
// bench/mask.ts.
import { describe, expect, test } from "bun:test";
import { maskSecrets, secretRanges } from "../../src/relay/mask-secrets";
import { mulberry32 } from "../helpers/prng";

/** Real-looking secrets and a piece of each that must never survive masking (beyond the 4 characters kept). */
const SECRETS: { text: string; body: string }[] = [
  { text: "sk-ant-api03-Zq9Wc2Lm8Rt5Yp1Xv7Bn3Kd6Hs4Jf0Ga", body: "Zq9Wc2Lm8Rt5" },
  { text: `ghp_${"Qw3".repeat(12)}`, body: "Qw3Qw3Qw3" },
  { text: "AKIAZ7QW3ER5TY9UI1OP", body: "Z7QW3ER5TY9" },
  { text: "glpat-Hn4Jm7Kq2Wx9Zc5Vb8Nm", body: "Hn4Jm7Kq2Wx9" },
  { text: `npm_${"Rt6Yu".repeat(8)}`, body: "Rt6YuRt6Yu" },
  { text: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", body: "AAHdqTcvCH1vGWJ" },
  { text: "\nDB_PASSWORD=Pl0k9Ij8Uh7Yg6\n", body: "9Ij8Uh7Yg6" },
  { text: "mysql://admin:Gh5Jk8Lz2Xc@db.internal/x", body: "Gh5Jk8Lz2Xc" },
  { text: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAopenssh\n-----END OPENSSH PRIVATE KEY-----", body: "b3BlbnNzaC1rZXktdjEAAAAopenssh" },
  { text: "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGpgpPrivateMaterial\n-----END PGP PRIVATE KEY BLOCK-----", body: "lQOYBGpgpPrivateMaterial" },
];

const NOISE = ["TOKEN", "SECRET", "PASSWORD", "API_KEY", "=", ":", " ", "\n", "\t", '"', "'", "#", "export ", "sk-", "sk-ant-", "ghp_", "AKIA", "eyJ", "eyJ-", "glpat-", "npm_", "xoxb-", "ra_dev_", "://", "@", "/", ".", "-", "_", "123456789", "-----BEGIN ", "PRIVATE KEY", "-----", "-----END ", "authorization: ", "Bearer ", "a", "Z", "9"];

function adversarial(random: () => number, size: number, secrets: string[]): string {
  const pick = (n: number) => Math.floor(random() * n);
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const roll = pick(10);
    // Long runs of one fragment are what made the old regexes backtrack.
    const part = roll === 0 ? NOISE[pick(NOISE.length)]!.repeat(1 + pick(size / 8)) : roll === 1 && secrets.length ? `\n ${secrets[pick(secrets.length)]!} \n` : NOISE[pick(NOISE.length)]!.repeat(1 + pick(4));
    parts.push(part);
    length += part.length;
  }
  return parts.join("");
}

function checkInvariants(text: string, planted: { text: string; body: string }[]) {
  const out = maskSecrets(text);
  for (const s of planted) if (text.includes(s.text)) expect(out.text.includes(s.body)).toBe(false);
  // Each replacement is at most 10 characters longer than what it replaced (a 3-character password becomes "…[masked]").
  expect(out.text.length).toBeLessThanOrEqual(text.length + 10 * out.masked);
  expect(maskSecrets(out.text).text).toBe(out.text);
  const ranges = secretRanges(text);
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.start).toBeGreaterThanOrEqual(ranges[i - 1]!.end);
}

describe("secret masking under adversarial input", () => {
  test("small random mixes: every planted secret is masked, output sane, masking idempotent", () => {
    const random = mulberry32(2026);
    for (let round = 0; round < 3000; round++) {
      const planted = SECRETS.filter(() => random() < 0.3);
      checkInvariants(adversarial(random, 20 + Math.floor(random() * 400), planted.map((s) => s.text)), planted);
    }
  });

  test("300 KB inputs: long runs of TOKEN, =, secret prefixes and single characters", () => {
    const random = mulberry32(7);
    for (let round = 0; round < 8; round++) checkInvariants(adversarial(random, 300_000, SECRETS.map((s) => s.text)), SECRETS);
    for (const run of ["TOKEN", "TOKEN=", "A", "sk-", "eyJ-", "\n", " ", "-----BEGIN ", "a://b:", "123456789:"]) {
      const text = `${run.repeat(Math.ceil(300_000 / run.length))}\n${SECRETS.map((s) => s.text).join("\n \n")}\n`;
      checkInvariants(text, SECRETS);
    }
  });
});
