import { describe, expect, test } from "bun:test";
import { validateEntities } from "../../src/relay/format";
import { maskFormatted } from "../../src/relay/mask-formatted";
import { MASKED_NOTE, maskSecrets } from "../../src/relay/mask-secrets";
import { maskOutgoing } from "../../src/relay/telegram/mask-transformer";
import { maskSecrets as regexMaskSecrets } from "../helpers/mask-secrets-regex";
import { mulberry32 } from "../helpers/prng";

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
    ["PGP private key block", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF2pgpSecretBody\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----\nafter", "lQOYBF2pgpSecretBody"],
    ["PEM key without its END", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEArsaBody", "MIIEpAIBAAKCAQEArsaBody"],
    ["GitLab token", "token glpat-AbCdEfGhIjKlMnOpQrSt12 here", "AbCdEfGhIjKlMnOpQrSt12"],
    ["npm token", "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789"],
    ["Authorization header", 'curl -H "Authorization: Bearer opaque.session.value-123" https://x', "opaque.session.value-123"],
    ["Slack app token", "xapp-1-A0123456789-0123456789012-abcdef", "A0123456789-0123456789012"],
    ["ra device token", "ra_dev_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "abcdefghijklmnopqrstuvwxyz0123456789"],
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

  test("the masked block keeps its kind and what follows its END", () => {
    expect(maskSecrets("-----BEGIN PGP PRIVATE KEY BLOCK-----\nxyz\n-----END PGP PRIVATE KEY BLOCK-----\nafter").text).toBe("-----BEGIN PGP PRIVATE KEY BLOCK----- …[masked]\nafter");
    expect(maskSecrets("-----BEGIN CERTIFICATE-----\nMIIBpublic\n-----END CERTIFICATE-----")).toMatchObject({ masked: 0 });
  });

  test("masks exactly what the old regex masker did (random mixes of secret fragments)", () => {
    const fragments = ["TOKEN", "=", ":", " ", "\n", "export ", '"', "'", "#", "sk-", "sk-ant-", "abcdefghij", "ABCDEFGHIJ", "0123456789", "_", "-", ".", "AKIA", "ghp_", "github_pat_", "xoxb-", "AIza", "rk_live_", "ra_dev_", "eyJ", "123456789", "://", "@", "/", "postgres", "p4ss", "-----BEGIN ", "RSA ", "PRIVATE KEY", "-----", "-----END ", "API_KEY", "password", "\t", "Zz9"];
    const random = mulberry32(12);
    const pick = (n: number) => Math.floor(random() * n);
    for (let round = 0; round < 20_000; round++) {
      let text = "";
      for (let i = 1 + pick(30); i > 0; i--) text += fragments[pick(fragments.length)]!.repeat(pick(4) === 0 ? 1 + pick(6) : 1);
      const [now, before] = [maskSecrets(text).text, regexMaskSecrets(text).text];
      if (now !== before) expect({ text, now }).toEqual({ text, now: before });
    }
  });

  test("leaves ordinary text and code alone", () => {
    const text = "Run `npm test`; the token budget is 4096 and PASSWORD_MIN_LENGTH is checked in auth.ts.\nconst key = getKey();";
    expect(maskSecrets(text)).toEqual({ text, masked: 0 });
  });
});

describe("masking formatted text (every message on its way out)", () => {
  const key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";
  test("moves the entities after a secret, keeps the one around it, drops one inside it, and adds the note", () => {
    const text = `run ${key} then **done**`;
    const ft = {
      text,
      entities: [
        { type: "code" as const, offset: 4, length: key.length },
        { type: "italic" as const, offset: 10, length: 5 },
        { type: "bold" as const, offset: text.indexOf("**done**"), length: 8 },
      ],
    };
    const out = maskFormatted(ft);
    expect(out.text).toBe(`run sk-a…[masked] then **done**\n\n${MASKED_NOTE}`);
    expect(out.entities).toEqual([
      { type: "code", offset: 4, length: "sk-a…[masked]".length },
      { type: "bold", offset: out.text.indexOf("**done**"), length: 8 },
    ]);
    expect(validateEntities(out)).toBeNull();
  });

  test("masks secrets in link URLs, changes nothing without secrets, and masks once", () => {
    const link = { text: "the db", entities: [{ type: "text_link" as const, offset: 0, length: 6, url: "postgres://app:p4ssw0rd@db/x" }] };
    expect(maskFormatted(link).entities[0]).toMatchObject({ url: "postgres://app:…[masked]@db/x" });
    const clean = { text: "nothing here", entities: [{ type: "bold" as const, offset: 0, length: 7 }] };
    expect(maskFormatted(clean)).toBe(clean);
    const once = maskFormatted({ text: `GITHUB_TOKEN=ghp_${"a".repeat(36)}`, entities: [] });
    expect(maskFormatted(once)).toEqual(once);
  });

  test("random text with secrets and entities: no secret survives and the entities stay valid", () => {
    const secrets = [key, "AKIAIOSFODNN7EXAMPLE", `ghp_${"B".repeat(36)}`, "API_KEY=hunter2hunter2", "https://u:pw12345@x.example/"];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 300; round++) {
      const parts: string[] = [];
      for (let i = 0; i < 6; i++) parts.push(rnd(3) === 0 ? `\n${secrets[rnd(secrets.length)]!}\n` : "word ".repeat(rnd(4)) + (rnd(2) ? "\n" : " 👍 "));
      const text = parts.join("");
      const entities: { type: "bold" | "code"; offset: number; length: number }[] = [];
      for (let i = rnd(5); i > 0; i--) {
        const offset = rnd(Math.max(1, text.length - 1));
        const e = { type: rnd(2) ? ("bold" as const) : ("code" as const), offset, length: 1 + rnd(Math.max(1, text.length - offset - 1)) };
        if (e.offset + e.length <= text.length && validateEntities({ text, entities: [...entities, e] }) === null) entities.push(e);
      }
      expect(validateEntities({ text, entities })).toBeNull();
      const out = maskFormatted({ text, entities });
      for (const s of ["abcdefghijklmnopqrstuvwxyz0123", "IOSFODNN7EXAMPLE", "B".repeat(36), "hunter2hunter2", "pw12345"]) expect(out.text).not.toContain(s);
      expect(validateEntities(out)).toBeNull();
    }
  });
});

describe("the Bot API transformer", () => {
  const key = "AKIAIOSFODNN7EXAMPLE";
  const call = async (method: string, payload: Record<string, unknown>) => {
    let seen: Record<string, unknown> = {};
    const prev = (async (_m: string, p: Record<string, unknown>) => ((seen = p), { ok: true, result: true })) as unknown as Parameters<typeof maskOutgoing>[0];
    await maskOutgoing(prev, method as never, payload as never);
    return seen;
  };
  test("masks message text (with the note), drafts, toasts (without) and captions, keeping entities valid", async () => {
    const sent = await call("sendMessage", { chat_id: 1, text: `id ${key}`, entities: [{ type: "code", offset: 3, length: key.length }] });
    expect(sent.text).toBe(`id AKIA…[masked]\n\n${MASKED_NOTE}`);
    expect(sent.entities).toEqual([{ type: "code", offset: 3, length: "AKIA…[masked]".length }]);
    expect((await call("sendMessageDraft", { chat_id: 1, draft_id: 1, text: key })).text).toStartWith("AKIA…[masked]");
    expect((await call("answerCallbackQuery", { callback_query_id: "1", text: `tapped ${key}` })).text).toBe("tapped AKIA…[masked]");
    expect((await call("sendDocument", { chat_id: 1, caption: key })).caption).toStartWith("AKIA…[masked]");
    const clean = { chat_id: 1, text: "nothing secret" };
    expect(await call("sendMessage", clean)).toBe(clean);
  });
});
