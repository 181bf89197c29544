// The web app's latency, loopback only, against the compiled relay with the fake Bot API (the
// Telegram surface renders every event too) and one simulated machine (no claude):
//  1. agent chunk → the browser's socket: a text event sent on /ws/agent until it arrives on
//     /app/ws (one process, one clock): what the relay adds.
//  2. in real headless Chromium: prompt sent from the page → first token in the page, and agent
//     chunk → in the page (DOM updated for the next paint; the app draws once per frame).
// Run after `npm run build`: `bun bench/web.ts` (RA_BENCH_CHUNKS=N, default 300, at most 3000).
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { encode, type AgentFrame, type RelayFrame } from "../src/proto";
import type { WebServerMessage } from "../src/proto/web";
import { FakeTelegram } from "../tests/fakes/telegram-api";
import { RaProcess } from "../tests/helpers/ra-process";
import { tmpDir } from "../tests/helpers/tmp";
import { Goals } from "./lib/goals";
import { percentile } from "./lib/stats";

const N = Number(process.env.RA_BENCH_CHUNKS ?? 300);
if (!Number.isInteger(N) || N < 10 || N > 3000) throw new Error(`RA_BENCH_CHUNKS must be a whole number from 10 to 3000, not ${process.env.RA_BENCH_CHUNKS}`);
const OWNER = 7;
const GOAL_RELAY_P99_MS = 5;
const goals = new Goals("web");
const CHROMIUM = process.env.RA_TEST_CHROMIUM ?? "/usr/bin/chromium";
declare const document: any, window: any, MutationObserver: any;

await using dir = tmpDir("ra-bench-web-");
await using profile = tmpDir("ra-bench-chromium-");
await using telegram = new FakeTelegram({ token: "1:bench" });
await using serve = new RaProcess(["serve", "--bot-token", "1:bench", "--telegram-api-root", telegram.url, "--data-dir", dir.path, "--listen", "127.0.0.1:0", "--owner", String(OWNER), "--poll-timeout", "30"]);
const port = (await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1];
await serve.waitFor(/polling for messages/);
const origin = `http://127.0.0.1:${port}`;
/** Wall-clock milliseconds with sub-ms precision, comparable with the browser's timeOrigin + now(). */
const wall = () => performance.timeOrigin + performance.now();

// One machine, inserted directly (as bench/inbound.ts does), answering prompts from this process.
const token = `ra_dev_bench${crypto.randomUUID().replaceAll("-", "")}`;
const db = new Database(join(dir.path, "relay.db"));
db.run("PRAGMA busy_timeout = 5000");
db.prepare("INSERT INTO devices (id, name, owner_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)").run("bench", "bench", OWNER, new Bun.CryptoHasher("sha256").update(token).digest("hex"), Date.now());
db.close();
let onPrompt: (frame: Extract<RelayFrame, { type: "prompt" }>) => void = () => {};
const seqs = new Map<string, number>();
const agent = new WebSocket(`ws://127.0.0.1:${port}/ws/agent`, { headers: { Authorization: `Bearer ${token}` } } as unknown as string[]);
const event = (sessionId: string, body: Extract<AgentFrame, { type: "event" }>["event"]) => {
  const seq = seqs.get(sessionId) ?? 0;
  seqs.set(sessionId, seq + 1);
  agent.send(encode<AgentFrame>({ type: "event", sessionId, seq, at: Date.now(), event: body }));
};
await new Promise<void>((resolve, reject) => {
  agent.onopen = () => agent.send(encode<AgentFrame>({ type: "hello", facts: { hostname: "bench", os: "linux", arch: "x64", user: "bench", agentVersion: "bench" }, sessions: [] }));
  agent.onclose = (e) => reject(new Error(`the relay closed the machine's connection (${e.code} ${e.reason})`));
  agent.onmessage = (e) => {
    const frame = JSON.parse(String(e.data)) as RelayFrame;
    if (frame.type === "welcome") resolve();
    else if (frame.type === "ping") agent.send(encode<AgentFrame>({ type: "pong", t: frame.t }));
    else if (frame.type === "prompt") onPrompt(frame);
  };
});

// Signed in like a person: /web in the chat, then the page's POST.
telegram.userText(OWNER, "/web");
const link = (await telegram.waitFor(() => telegram.chat(OWNER).map((m) => m.text ?? "").join("\n").match(/(http:\/\/\S+\/login\?t=\S+)/), { message: "the /web link" }))[1]!;
const login = await fetch(`${origin}/login`, { method: "POST", redirect: "manual", headers: { origin, "content-type": "application/x-www-form-urlencoded" }, body: `t=${new URL(link).searchParams.get("t")}` });
const cookie = login.headers.get("set-cookie")!.split(";")[0]!;

// 1. Agent chunk → the browser's socket.
const socket = new WebSocket(`ws://127.0.0.1:${port}/app/ws`, { headers: { cookie, origin } } as unknown as string[]);
let arrived: (m: WebServerMessage) => void = () => {};
socket.onmessage = (e) => arrived(JSON.parse(String(e.data)) as WebServerMessage);
await new Promise<void>((resolve) => (arrived = (m) => m.type === "snapshot" && resolve()));
const running = new Promise<Extract<RelayFrame, { type: "prompt" }>>((resolve) => (onPrompt = resolve));
socket.send(JSON.stringify({ type: "prompt", ref: "b", deviceId: "bench", text: "stream for the bench" }));
const prompt = await running;
event(prompt.sessionId, { kind: "turn.started", turnId: prompt.turnId });
const relayMs: number[] = [];
for (let i = 0; i < N; i++) {
  const got = new Promise<void>((resolve) => (arrived = (m) => m.type === "text" && m.text.includes(`w${i} `) && resolve()));
  const sentAt = performance.now();
  event(prompt.sessionId, { kind: "text", turnId: prompt.turnId, text: `w${i} ` });
  await got;
  relayMs.push(performance.now() - sentAt);
}
event(prompt.sessionId, { kind: "turn.ended", turnId: prompt.turnId, status: "done", durationMs: 1 });
socket.close();
const line = (ms: number[]) => `p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms`;
const relayP99 = percentile(relayMs, 99);
const relayMark = goals.check(relayP99 < GOAL_RELAY_P99_MS, `agent chunk → browser socket p99 ${relayP99.toFixed(1)} ms (goal < ${GOAL_RELAY_P99_MS} ms)`);
console.log(`web: agent chunk → browser socket (what the relay adds): ${line(relayMs)} over ${N} chunks (goal p99 < ${GOAL_RELAY_P99_MS} ms ${relayMark})`);
// The one goal here; the browser's figures below are for comparison.
goals.report();

// 2. In Chromium.
if (!existsSync(CHROMIUM)) {
  console.log(`web: ${CHROMIUM} is missing; the in-browser figures need Debian's chromium`);
  process.exit(); // with the verdict above
}
const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), "--disable-gpu", `--user-data-dir=${profile.path}`] });
try {
  const page = await browser.newPage();
  await page.setCookie({ name: cookie.split("=")[0]!, value: cookie.split("=").slice(1).join("="), domain: "127.0.0.1", path: "/" });
  await page.goto(origin);
  await page.waitForSelector(".device.state-online");
  // Every change of the newest answer, stamped with the wall clock when it is in the DOM.
  await page.evaluate(() => {
    window.seen = [] as { text: string; at: number }[];
    new MutationObserver(() => {
      const answer = [...document.querySelectorAll(".turn .answer")].at(-1);
      if (answer) window.seen.push({ text: answer.textContent, at: performance.timeOrigin + performance.now() });
    }).observe(document.querySelector(".turns"), { childList: true, subtree: true, characterData: true });
  });
  const painted = (fragment: string) => page.waitForFunction((f: string) => window.seen.find((s: { text: string }) => s.text.includes(f))?.at, { polling: "mutation" }, fragment).then((h) => h.jsonValue() as Promise<number>);

  const firstToken: number[] = [];
  const chunkPainted: number[] = [];
  const ROUNDS = Math.max(5, Math.floor(N / 30));
  for (let round = 0; round < ROUNDS; round++) {
    const next = new Promise<Extract<RelayFrame, { type: "prompt" }>>((resolve) => (onPrompt = resolve));
    await page.type("textarea[name=prompt]", `round ${round}`);
    const sentAt: number = await page.evaluate(() => {
      const at = performance.timeOrigin + performance.now();
      document.querySelector("button.send").click();
      return at;
    });
    const p = await next;
    event(p.sessionId, { kind: "turn.started", turnId: p.turnId });
    event(p.sessionId, { kind: "text", turnId: p.turnId, text: `first${round} ` });
    firstToken.push((await painted(`first${round} `)) - sentAt);
    for (let i = 0; i < 30; i++) {
      const at = wall();
      event(p.sessionId, { kind: "text", turnId: p.turnId, text: `r${round}c${i} ` });
      chunkPainted.push((await painted(`r${round}c${i} `)) - at);
    }
    event(p.sessionId, { kind: "turn.ended", turnId: p.turnId, status: "done", durationMs: 1 });
    await page.waitForSelector(`.turn[data-status=done] .answer`);
  }
  console.log(`web: prompt sent from the page → first token in the page: ${line(firstToken)} over ${ROUNDS} prompts`);
  console.log(`web: agent chunk → in the page (drawn once per frame, ≤ 16.7 ms apart): ${line(chunkPainted)} over ${chunkPainted.length} chunks`);
} finally {
  await browser.close();
  agent.close();
}
