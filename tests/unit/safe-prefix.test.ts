import { describe, expect, test } from "bun:test";
import { maskSecrets } from "../../src/relay/mask-secrets";
import { safePrefix } from "../../src/relay/safe-prefix";
import { mulberry32 } from "../helpers/prng";

const KEY = "sk-ant-api03-Zq9Wc2Lm8Rt5Yp1Xv7Bn3Kd6Hs4Jf0Ga";
const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAopenssh\nAAAAC3NzaC1lZDI1NTE5\n-----END OPENSSH PRIVATE KEY-----";

describe("safePrefix: what a still-streaming answer may show", () => {
  test("holds back a key cut mid-way, a token prefix and an unfinished word", () => {
    expect(safePrefix("Your key is sk-ant-api03-ABC")).toEqual({ shown: "Your key is ", held: "sk-ant-api03-ABC" });
    expect(safePrefix("export GH=ghp_12")).toEqual({ shown: "export ", held: "GH=ghp_12" });
    expect(safePrefix("Hello wor")).toEqual({ shown: "Hello ", held: "wor" });
    expect(safePrefix("Done.\n")).toEqual({ shown: "Done.\n", held: "" });
  });

  test("holds back a private key block until its END arrives, and its BEGIN line while it arrives", () => {
    const open = `Here it is:\n${PEM.slice(0, 60)}`;
    expect(safePrefix(open)).toEqual({ shown: "Here it is:\n", held: PEM.slice(0, 60) });
    expect(safePrefix("See:\n-----BEGIN OPENSSH PRIV").shown).toBe("See:\n");
    expect(safePrefix("See:\n-----BEGIN OPENSSH PRIVATE KEY---").shown).toBe("See:\n");
    expect(safePrefix("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBG stuff\nmore ").shown).toBe("");
    expect(safePrefix(`${PEM}\nthen text `)).toEqual({ shown: `${PEM}\nthen text `, held: "" });
    // A public block is not held once its header says so.
    expect(safePrefix("-----BEGIN CERTIFICATE-----\nMIIB\n").shown).toBe("-----BEGIN CERTIFICATE-----\nMIIB\n");
  });

  test("streamed in random chunks, no shown prefix ever carries more of a secret than its masked form", () => {
    const secrets = [
      { text: KEY, body: "Zq9Wc2Lm" },
      { text: `ghp_${"Qw3".repeat(12)}`, body: "Qw3Qw3" },
      { text: "glpat-Hn4Jm7Kq2Wx9Zc5Vb8Nm", body: "Hn4Jm7Kq" },
      { text: "\nAPI_KEY=\"Pl0k9Ij8Uh7Yg6\"\n", body: "9Ij8Uh" },
      { text: "postgres://app:Gh5Jk8Lz2Xc@db/x", body: "Gh5Jk8" },
      { text: `\n${PEM}\n`, body: "b3Blbn" },
      { text: "AKIAZ7QW3ER5TY9UI1OP", body: "Z7QW3E" },
    ];
    const random = mulberry32(99);
    let leaksWithoutHolding = 0;
    for (let round = 0; round < 400; round++) {
      const answer = Array.from({ length: 6 }, () => (random() < 0.4 ? secrets[Math.floor(random() * secrets.length)]!.text : "some words here,")).join(" ") + "\n";
      const planted = secrets.filter((s) => answer.includes(s.text));
      for (let cut = 1; cut <= answer.length; cut += 1 + Math.floor(random() * 5)) {
        const sofar = answer.slice(0, cut);
        const shown = maskSecrets(safePrefix(sofar).shown).text;
        for (const s of planted) expect(shown.includes(s.body)).toBe(false);
        if (planted.some((s) => maskSecrets(sofar).text.includes(s.body))) leaksWithoutHolding++;
      }
      for (const s of planted) expect(maskSecrets(answer).text.includes(s.body)).toBe(false);
    }
    // Masking the unfinished text as it is (what the relay did before) shows pieces of keys.
    expect(leaksWithoutHolding).toBeGreaterThan(0);
  });
});
