// The hub's transport through the compiled binary: direct TLS (`ra serve --tls-cert/--tls-key`
// with a self-signed certificate made here by openssl; ra pair and ra agent trust it through
// NODE_EXTRA_CA_CERTS), browser origins refused, one pair.hello per connection, and a frame flood
// that closes only the flooding connection.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, TOKEN, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

let stack: Stack;
let certs: ReturnType<typeof tmpDir>;
let ca = "";
const cert = () => join(certs.path, "cert.pem");
const key = () => join(certs.path, "key.pem");

beforeAll(async () => {
  certs = tmpDir("ra-tls-");
  const openssl = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key(), "-out", cert(), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
    { stderr: "pipe" },
  );
  if (openssl.exitCode !== 0) throw new Error(`openssl could not make a test certificate: ${openssl.stderr.toString()}`);
  ca = readFileSync(cert(), "utf8");
  stack = await startStack({ serveArgs: ["--tls-cert", cert(), "--tls-key", key()], https: true, agentEnv: { NODE_EXTRA_CA_CERTS: cert() } });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await certs?.[Symbol.asyncDispose]();
});

const wsUrl = (path: string) => `${stack.relayUrl.replace(/^https/, "wss")}${path}`;
const open = (path: string, headers: Record<string, string> = {}) => {
  const ws = new WebSocket(wsUrl(path), { headers, tls: { ca } } as unknown as string[]);
  const frames: Record<string, unknown>[] = [];
  ws.onmessage = (e) => frames.push(JSON.parse(String(e.data)));
  const opened = new Promise<void>((resolve, reject) => ((ws.onopen = () => resolve()), (ws.onerror = () => reject(new Error(`cannot open ${path}`)))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (ws.onclose = (e) => resolve({ code: e.code, reason: e.reason })));
  return { ws, frames, opened, closed };
};

describe("direct TLS", () => {
  test("ra pair and ra agent work over https/wss; a prompt makes the round trip", async () => {
    expect(stack.relayUrl).toStartWith("https://127.0.0.1:");
    expect(stack.serve.output).toContain("(TLS)");
    stack.telegram.userText(OWNER, "hello over tls");
    await stack.waitForText(/echo: hello over tls[\s\S]*✅ laptop/);
  });

  test("the relay speaks only TLS on its port, and a client that does not trust the certificate is refused", async () => {
    expect((await fetch(`${stack.relayUrl}/healthz`, { tls: { ca } } as RequestInit)).status).toBe(200);
    await expect(fetch(stack.relayUrl.replace("https", "http") + "/healthz")).rejects.toThrow();
    await expect(fetch(`${stack.relayUrl}/healthz`)).rejects.toThrow(/certificate|self.signed|SELF_SIGNED/i);
  });

  test("--tls-cert without --tls-key, or an unreadable file, is a clear error", async () => {
    await using half = new RaProcess(["serve", "--bot-token", TOKEN, "--tls-cert", cert()]);
    expect(await half.exitCode()).toBe(2);
    expect(half.stderr).toContain("--tls-cert and --tls-key go together");
    await using missing = new RaProcess(["serve", "--bot-token", TOKEN, "--tls-cert", cert(), "--tls-key", join(certs.path, "nope.pem")]);
    expect(await missing.exitCode()).toBe(78);
    expect(missing.stderr).toContain(`cannot read --tls-key ${join(certs.path, "nope.pem")}`);
  });
});

describe("WebSocket limits", () => {
  test("an upgrade from a web page (with an Origin header) is refused", async () => {
    const token = JSON.parse(readFileSync(stack.config, "utf8")).token as string;
    for (const path of ["/ws/agent", "/ws/pair"]) {
      const res = await fetch(`${stack.relayUrl}${path}`, { headers: { Authorization: `Bearer ${token}`, Upgrade: "websocket", Origin: "https://evil.example" }, tls: { ca } } as RequestInit);
      expect(res.status).toBe(403);
    }
  });

  test("a second pair.hello on one connection closes it", async () => {
    const pair = open("/ws/pair");
    await pair.opened;
    const hello = JSON.stringify({ v: 1, type: "pair.hello", name: "twice", facts: { hostname: "h", os: "linux", arch: "x64", user: "u", agentVersion: "0.1.0" }, fingerprint: "BCDF-GHJK" });
    pair.ws.send(hello);
    pair.ws.send(hello);
    expect(await pair.closed).toEqual({ code: 1008, reason: "one pair.hello per connection" });
    expect(pair.frames.map((f) => f.type)).toEqual(["pair.code", "error"]);
  });

  test("a flood of frames closes only the flooding connection; the agent comes back and works", async () => {
    stack.agent.kill("SIGTERM");
    await stack.agent.exitCode();
    const token = JSON.parse(readFileSync(stack.config, "utf8")).token as string;
    const flood = open("/ws/agent", { Authorization: `Bearer ${token}` });
    await flood.opened;
    const bystander = open("/ws/pair");
    await bystander.opened;
    for (let i = 0; i < 30_000 && flood.ws.readyState === WebSocket.OPEN; i++) flood.ws.send(JSON.stringify({ v: 1, type: "ping", t: i }));
    expect(await flood.closed).toEqual({ code: 1008, reason: "too many frames" });
    expect(flood.frames.at(-1)).toMatchObject({ type: "error", code: "rate_limited" });
    expect(flood.frames.filter((f) => f.type === "pong").length).toBeGreaterThanOrEqual(20_000);
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
    bystander.ws.close();

    await stack.restartAgent();
    stack.telegram.userText(OWNER, "still fine after the flood?");
    await stack.waitForText(/echo: still fine after the flood\?[\s\S]*✅ laptop/);
  });
});
