// Answers stream to browsers piece by piece with secrets masked: however the text is cut into
// pieces, what the browsers are sent adds up to exactly the masked whole answer.
import { describe, expect, test } from "bun:test";
import { maskSecrets } from "../../src/relay/mask-secrets";
import { StreamMasks } from "../../src/relay/web/stream-mask";
import { mulberry32 } from "../helpers/prng";

const KEY = `sk-ant-api03-${"A1b2C3d4".repeat(12)}`;
const ANSWER = `Your key is ${KEY} and the URL https://bob:hunter2secret@example.com/x works.\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\nThat is all, ghp_${"x".repeat(36)} too.\nexport DB_PASSWORD = "s3cr3t-Value-42" and done.`;

describe("streamed answers, masked", () => {
  test("any cut into pieces sends exactly the masked answer, never a secret's body", async () => {
    const random = mulberry32(42);
    for (let run = 0; run < 200; run++) {
      let stored = "";
      const masks = new StreamMasks(async () => stored);
      const sent: string[] = [];
      let at = 0;
      // The first piece arrives before any browser looked (the relay knows nothing of the turn yet).
      while (at < ANSWER.length) {
        const piece = ANSWER.slice(at, at + 1 + Math.floor(random() * 12));
        at += piece.length;
        stored += piece;
        const out = await masks.piece("t1", piece);
        sent.push(out?.text ?? "");
        // The provisional last word is masked like the rest: no secret's body, even for a moment.
        for (const body of ["A1b2C3d4A1b2C3d4", "hunter2secret", "b3BlbnNzaC1rZXkt", "s3cr3t-Value"]) expect(out?.tail ?? "").not.toContain(body);
      }
      sent.push(masks.end("t1"));
      const streamed = sent.join("");
      expect(streamed).toBe(maskSecrets(ANSWER).text);
      expect(streamed).not.toContain("A1b2C3d4A1b2C3d4");
      expect(streamed).not.toContain("hunter2secret");
      expect(streamed).not.toContain("b3BlbnNzaC1rZXkt");
      expect(streamed).not.toContain("s3cr3t-Value");
    }
  });

  test("a paused stream shows its last word at once (provisionally), unless it could still become a secret", async () => {
    let stored = "";
    const masks = new StreamMasks(async () => stored);
    const feed = (piece: string) => ((stored += piece), masks.piece("t1", piece));
    expect(await feed("Working on a long answer")).toEqual({ text: "Working on a long ", tail: "answer" });
    expect(await feed(" now https://bob:hunt")).toEqual({ text: "answer now ", tail: "" });
    expect((await feed("er2@example.com"))?.tail).toBe("https://bob:…[masked]@example.com");
  });

  test("a browser joining mid-answer gets what the others were sent so far, then the same pieces", async () => {
    let stored = "";
    const masks = new StreamMasks(async () => stored);
    const early: string[] = [];
    for (const piece of ["Your key is sk-ant-", "api03-", "A1b2C3d4".repeat(6)]) {
      stored += piece;
      early.push((await masks.piece("t1", piece))?.text ?? "");
    }
    const joined = (await masks.shown("t1")).text;
    expect(joined).toBe(early.join(""));
    const rest = `${"A1b2C3d4".repeat(6)} done.`;
    stored += rest;
    const next = ((await masks.piece("t1", rest))?.text ?? "") + masks.end("t1");
    expect(joined + next).toBe(maskSecrets(stored).text);
  });
});
