import { describe, expect, test } from "bun:test";
import { maskSecrets } from "../../src/relay/mask-secrets";
import { safePrefix } from "../../src/relay/safe-prefix";
import { mulberry32 } from "../helpers/prng";

const KEY = "sk-ant-api03-Zq9Wc2Lm8Rt5Yp1Xv7Bn3Kd6Hs4Jf0Ga";
const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAopenssh\nAAAAC3NzaC1lZDI1NTE5\n-----END OPENSSH PRIVATE KEY-----";

describe("safePrefix: what a still-streaming answer may show", () => {
  test("holds back a key cut mid-way, a token prefix, a password before its @ and a header value", () => {
    expect(safePrefix("Your key is sk-ant-api03-ABC")).toEqual({ shown: "Your key is ", held: "sk-ant-api03-ABC" });
    expect(safePrefix("export GH=ghp_12")).toEqual({ shown: "export ", held: "GH=ghp_12" });
    expect(safePrefix("a URL postgres://app:p4s")).toEqual({ shown: "a URL ", held: "postgres://app:p4s" });
    expect(safePrefix('API_KEY="hunter')).toEqual({ shown: "", held: 'API_KEY="hunter' });
    expect(safePrefix("curl -H 'Authorization: Bearer abc")).toEqual({ shown: "curl -H 'Authorization: Bearer ", held: "abc" });
    expect(safePrefix("it was in 2026")).toEqual({ shown: "it was in ", held: "2026" });
  });

  test("shows words that cannot turn into a secret at once, even unfinished", () => {
    expect(safePrefix("Working on a long answer")).toEqual({ shown: "Working on a long answer", held: "" });
    expect(safePrefix("Done.\n")).toEqual({ shown: "Done.\n", held: "" });
    expect(safePrefix("the key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123 and")).toEqual({ shown: "the key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123 and", held: "" });
    expect(safePrefix("Authorization: Bearer ")).toEqual({ shown: "Authorization: Bearer ", held: "" });
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
      { text: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0", body: "AAHdqTcv" },
      { text: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.Sfl5KxwRJSMeKKF2QT4f", body: "hbGciOiJ" },
      { text: 'curl -H "Authorization: Bearer Op4queSess10nV4lue"', body: "queSess1" },
      { text: `npm_${"Rt6Yu".repeat(8)}`, body: "Rt6YuRt6" },
      { text: "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGpgpPrivateMaterial\n-----END PGP PRIVATE KEY BLOCK-----", body: "lQOYBG" },
    ];
    const random = mulberry32(99);
    let leaksWithoutHolding = 0;
    for (let round = 0; round < 300; round++) {
      const words = ["some words here,", "in 2026", "sk", "a://", "key:", "TOKEN =", "-", "(see"];
      const answer = Array.from({ length: 6 }, () => (random() < 0.4 ? secrets[Math.floor(random() * secrets.length)]!.text : words[Math.floor(random() * words.length)]!)).join(random() < 0.5 ? " " : "\n") + "\n";
      const planted = secrets.filter((s) => answer.includes(s.text));
      const finalMasked = maskSecrets(answer).text;
      for (let cut = 1; cut <= answer.length; cut++) {
        const sofar = answer.slice(0, cut);
        const shown = maskSecrets(safePrefix(sofar).shown).text;
        for (const s of planted) expect(shown.includes(s.body)).toBe(false);
        // What is shown only ever grows: it is the start of the final masked answer.
        if (!finalMasked.startsWith(shown)) expect({ sofar, shown }).toEqual({ sofar, shown: finalMasked.slice(0, shown.length) });
        if (planted.some((s) => maskSecrets(sofar).text.includes(s.body))) leaksWithoutHolding++;
      }
      for (const s of planted) expect(maskSecrets(answer).text.includes(s.body)).toBe(false);
    }
    // Masking the unfinished text as it is (what the relay did before) shows pieces of keys.
    expect(leaksWithoutHolding).toBeGreaterThan(0);
  });
});
