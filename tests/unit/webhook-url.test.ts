import { describe, expect, test } from "bun:test";
import { webhookUrl } from "../../src/relay/webhook-url";

const cloud = (url: string | undefined) => webhookUrl(url, false);

describe("the webhook URL for Telegram's cloud Bot API", () => {
  test("is the public URL's /telegram/webhook, on https and ports 443, 80, 88, 8443", () => {
    expect(cloud("https://relay.example.com")).toEqual({ ok: true, url: "https://relay.example.com/telegram/webhook" });
    expect(cloud("https://relay.example.com/ra/")).toEqual({ ok: true, url: "https://relay.example.com/ra/telegram/webhook" });
    for (const port of [80, 88, 8443]) expect(cloud(`https://relay.example.com:${port}`)).toEqual({ ok: true, url: `https://relay.example.com:${port}/telegram/webhook` });
  });
  test("refuses http, loopback over http, other ports, and a missing or broken URL, each with a hint", () => {
    for (const url of ["http://relay.example.com", "http://127.0.0.1:8080", "ws://relay.example.com"]) {
      expect(cloud(url)).toMatchObject({ ok: false, message: expect.stringContaining("needs an https --public-url") });
    }
    for (const port of [8080, 444, 1]) expect(cloud(`https://relay.example.com:${port}`)).toMatchObject({ ok: false, message: `--webhook cannot use port ${port} in --public-url` });
    expect(cloud(undefined)).toMatchObject({ ok: false, message: "--webhook needs --public-url" });
    expect(cloud("relay.example.com")).toMatchObject({ ok: false, message: expect.stringContaining("is not a URL") });
    expect(cloud("https://u:p@relay.example.com")).toMatchObject({ ok: false });
    for (const url of ["http://relay.example.com", "https://relay.example.com:8080"]) expect((cloud(url) as { hint: string }).hint.length).toBeGreaterThan(10);
  });
});

describe("with a self-hosted Bot API server", () => {
  test("http and any port are allowed, as telegram-bot-api --local allows them", () => {
    expect(webhookUrl("http://127.0.0.1:8080", true)).toEqual({ ok: true, url: "http://127.0.0.1:8080/telegram/webhook" });
    expect(webhookUrl("ftp://127.0.0.1", true)).toMatchObject({ ok: false });
  });
});
