/**
 * Is claude usable by the agent: found, its version, and does it start in the agent's stream-json
 * mode? The second check sends only `initialize` (answered without calling the model) and reads
 * the login source from the answer.
 */
import { findClaude } from "../agent/find-claude";
import { buildClaudeArgv } from "../runner/claude-argv";
import { readLines } from "../runner/lines";
import { bunSpawner, type Spawner } from "../runner/spawn";
import { type CheckResult, fail, failFrom, ok, warn } from "./check";

export interface ClaudeProbe {
  given: string | undefined;
  env: Record<string, string>;
  cwd: string;
  spawner?: Spawner;
  timeoutMs?: number;
}

/** Finds claude and asks its version; returns the path for the next check. */
export async function checkClaudeVersion(p: ClaudeProbe): Promise<{ result: CheckResult; path?: string }> {
  let path: string;
  try {
    path = findClaude(p.given, p.env.PATH);
  } catch (err) {
    return { result: failFrom("claude", err) };
  }
  const child = (p.spawner ?? bunSpawner).spawn({ argv: [path, "--version"], cwd: p.cwd, env: p.env });
  const answer = await withTimeout(Promise.all([new Response(child.stdout).text(), child.exited]), p.timeoutMs ?? 30_000, () => child.signalGroup("SIGKILL"));
  if (!answer || answer[1].code !== 0) {
    const how = answer ? `exited with ${answer[1].code ?? answer[1].signal}` : "did not answer";
    return { result: fail("claude", `\`${path} --version\` ${how}`, "reinstall Claude Code: npm install -g @anthropic-ai/claude-code"), path };
  }
  return { result: ok("claude", `${answer[0].trim()} at ${path}`), path };
}

export async function checkClaudeStreamJson(p: ClaudeProbe & { path: string }): Promise<CheckResult> {
  const name = "claude start";
  const child = (p.spawner ?? bunSpawner).spawn({ argv: buildClaudeArgv({ claudePath: p.path }), cwd: p.cwd, env: p.env });
  const started = Date.now();
  child.write(`${JSON.stringify({ type: "control_request", request_id: "ra-doctor", request: { subtype: "initialize" } })}\n`);
  const answer = async () => {
    for await (const line of readLines(child.stdout)) {
      let message: { type?: string; response?: { request_id?: string; subtype?: string; error?: string; response?: { account?: Record<string, unknown> } } };
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      if (message.type === "control_response" && message.response?.request_id === "ra-doctor") return message.response;
    }
    return undefined;
  };
  const stderr = new Response(child.stderr).text();
  const response = await withTimeout(answer(), p.timeoutMs ?? 30_000, () => {});
  child.endInput();
  child.signalGroup("SIGTERM");
  await child.exited;
  if (!response) {
    // The error line itself, not the stack trace under it.
    const lines = (await stderr).split("\n").map((l) => l.trim()).filter(Boolean);
    const tail = lines.find((l) => /\w*Error\b|error:/i.test(l)) ?? lines.at(-1) ?? "";
    return fail(name, `claude did not start in stream-json mode${tail ? `: ${tail}` : ""}`, `run \`${p.path} -p --output-format stream-json --verbose "hi"\` to see the error`);
  }
  if (response.subtype !== "success") return fail(name, `claude refused the stream-json handshake: ${response.error ?? "unknown error"}`, "update Claude Code: npm install -g @anthropic-ai/claude-code");
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const account = response.response?.account ?? {};
  const source = [account.apiKeySource, account.tokenSource].find((s) => typeof s === "string" && s !== "none") as string | undefined;
  if (!source) {
    return warn(name, `starts in stream-json mode (${seconds} s), but is not logged in`, "run `claude` once and /login, or set CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`) for the service");
  }
  return ok(name, `starts in stream-json mode in ${seconds} s, logged in via ${source}`);
}

/** Resolves with undefined (after `onTimeout`) when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      onTimeout();
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
