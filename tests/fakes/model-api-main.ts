#!/usr/bin/env bun
/**
 * The fake Messages API as a standalone server for `bun run dev`: point a real claude at it with
 * ANTHROPIC_BASE_URL and drive it by what you type. The first stdout line is the base URL.
 *   "lorem …"  a long answer streamed slowly (watch the phone edit its message)
 *   "tool …"   a Bash call that needs approval (touch ra-dev-tool.txt)
 *   otherwise  "echo: <your text>"
 * Usage: bun tests/fakes/model-api-main.ts [--port N]
 */
import { echoReply, lastUserText, startFakeModelApi, type MessagesRequest, type ScriptedReply } from "./model-api";

const LOREM =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. " +
  "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. " +
  "Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. " +
  "Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";

function devReply(request: MessagesRequest): ScriptedReply {
  const last = request.messages?.at(-1);
  const result = Array.isArray(last?.content) ? last.content.find((b) => b.type === "tool_result") : undefined;
  if (result) {
    const content = typeof result.content === "string" ? result.content : JSON.stringify(result.content ?? "");
    return [{ text: `The tool ${result.is_error ? "failed" : "said"}: ${content.slice(0, 500)}` }];
  }
  const text = lastUserText(request) ?? "";
  if (/lorem/i.test(text)) return [{ text: LOREM, chunkSize: 12, delayMs: 80 }];
  if (/\btool\b/i.test(text)) {
    return [
      { text: "I will create a file." },
      { toolUse: { name: "Bash", input: { command: "touch ra-dev-tool.txt && echo created", description: "Create ra-dev-tool.txt" } } },
    ];
  }
  return echoReply(request);
}

const portFlag = process.argv.indexOf("--port");
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 0;
const api = startFakeModelApi({
  port,
  defaultReply: devReply,
  onRequest: (r) => process.stderr.write(`fake-model: ${r.method} ${r.path} (${r.kind}) "${(lastUserText(r.body) ?? "").slice(0, 60)}"\n`),
});
process.stdout.write(`${api.url}\n`);
process.stderr.write(`fake-model: listening; run claude with ANTHROPIC_BASE_URL=${api.url} ANTHROPIC_API_KEY=sk-test\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void api.stop().then(() => process.exit(0)));
}
