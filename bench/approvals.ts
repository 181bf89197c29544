// Approval latency through the whole stack (compiled ra, real claude, fake model and Bot API):
// from the model's tool_use request arriving (claude asks right after it) to the card reaching
// Telegram, and from the owner's tap to claude's next model request (tool run included).
// Run after `npm run build`: `bun bench/approvals.ts`.
import { join } from "node:path";
import type { StoredMessage } from "../tests/fakes/telegram-api";
import { OWNER, startStack } from "../tests/helpers/stack";

const ROUNDS = 20;
await using stack = await startStack();
const toCard: number[] = [];
const toClaude: number[] = [];
const cards = () => stack.telegram.chat(OWNER).filter((m) => (m.text ?? "").includes("wants to"));
const allow = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : "")).find((d) => d.endsWith(":a"));

for (let i = 0; i < ROUNDS; i++) {
  stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: join(stack.workdir, `f${i}.txt`), content: `${i}\n` } } }], [{ text: `done ${i}` }]);
  const before = stack.model.requests.length;
  stack.telegram.userText(OWNER, `write file ${i}`);
  await stack.model.waitForRequest(before + 1);
  const asked = performance.now();
  await stack.telegram.waitFor(() => cards().length > i && allow(cards()[i]!) !== undefined, { message: `card ${i}` });
  toCard.push(performance.now() - asked);
  const tapped = performance.now();
  stack.telegram.clickButton(OWNER, cards()[i]!.message_id, allow(cards()[i]!)!);
  await stack.model.waitForRequest(before + 2);
  toClaude.push(performance.now() - tapped);
  await stack.waitForText(new RegExp(`done ${i}[\\s\\S]*✅ laptop`));
}
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!.toFixed(0);
console.log(`request → card:       p50 ${p(toCard, 0.5)} ms, p90 ${p(toCard, 0.9)} ms (n=${ROUNDS})`);
console.log(`tap → claude resumes: p50 ${p(toClaude, 0.5)} ms, p90 ${p(toClaude, 0.9)} ms (n=${ROUNDS})`);
