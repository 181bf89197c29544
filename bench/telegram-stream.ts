// Streaming into Telegram through the whole stack (compiled ra with its default 1.2 s pacing, real
// claude, fake model and Bot API): how many Bot API calls one streamed answer costs (5 KB and
// 50 KB), and how long a chunk takes from the model to its first visibility in the chat.
// Run after `npm run build`: `bun bench/telegram-stream.ts`.
import type { FakeEvent } from "../tests/fakes/telegram-api";
import { OWNER, startStack } from "../tests/helpers/stack";

const CHUNK = 100; // characters per model delta
const EVERY_MS = 50; // one delta every 50 ms: 2 KB/s, faster than Claude usually writes

await using stack = await startStack({ editIntervalMs: 1200 });
const { telegram, model } = stack;

/** chunk i is "c<i>" padded to CHUNK characters, a paragraph break every 10 chunks. */
const marker = (i: number) => `c${String(i).padStart(5, "0")}x`;
function answerOf(bytes: number): string {
  const n = Math.ceil(bytes / CHUNK);
  return Array.from({ length: n }, (_, i) => {
    const end = i % 10 === 9 ? "\n\n" : " ";
    return `${marker(i)} ${"lorem ipsum dolor sit amet ".repeat(4)}`.slice(0, CHUNK - end.length) + end;
  }).join("");
}

async function run(bytes: number): Promise<void> {
  const answer = answerOf(bytes);
  const chunks = Math.ceil(answer.length / CHUNK);
  const seenAt: number[] = [];
  let nextUnseen = 0;
  const off = telegram.on((event: FakeEvent) => {
    if (event.type !== "message" || event.message.chat_id !== OWNER || event.message.sender !== "bot") return;
    const text = event.message.text ?? "";
    const now = performance.now();
    for (let i = nextUnseen; i < Math.min(chunks, nextUnseen + 400); i++) if (seenAt[i] === undefined && text.includes(marker(i))) seenAt[i] = now;
    while (seenAt[nextUnseen] !== undefined) nextUnseen++;
  });
  const firstCall = telegram.calls.length;
  const requests = model.requests.length;
  model.enqueue([{ text: answer, chunkSize: CHUNK, delayMs: EVERY_MS }]);
  telegram.userText(OWNER, `write ${bytes} bytes`);
  await model.waitForRequest(requests + 1);
  const streamStart = performance.now();
  await telegram.waitFor(() => stack.texts().some((t) => t.includes(marker(chunks - 1)) && /✅ laptop/.test(t)), { timeoutMs: 300_000, message: "the end of the answer" });
  if (chunks * CHUNK > 3 * 4000) await telegram.waitFor(() => telegram.documents(OWNER).some((d) => d.text.includes(marker(chunks - 1))), { timeoutMs: 60_000 });
  off();
  const calls = telegram.calls.slice(firstCall).filter((c) => c.method !== "getUpdates" && (c.payload.chat_id === OWNER || c.payload.chat_id === undefined));
  const byMethod = new Map<string, number>();
  for (const c of calls) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);
  // Chunk i leaves the model about (i + 1) × EVERY_MS after its stream starts.
  const delays = seenAt.map((t, i) => t - (streamStart + (i + 1) * EVERY_MS)).filter((d) => Number.isFinite(d));
  const q = (p: number) => [...delays].sort((a, b) => a - b)[Math.min(delays.length - 1, Math.floor(delays.length * p))]!.toFixed(0);
  const kb = (bytes / 1024).toFixed(0);
  console.log(`${kb} KB answer (${chunks} chunks over ${((chunks * EVERY_MS) / 1000).toFixed(1)} s): ${calls.length} Telegram calls (${[...byMethod].map(([m, n]) => `${m} ${n}`).join(", ")})`);
  console.log(`${kb} KB chunk → first visible: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (n=${delays.length}/${chunks} chunks seen)`);
}

await run(5 * 1024);
await run(50 * 1024);
