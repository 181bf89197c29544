/**
 * "Always allow" in one session, precisely: a rule is what the owner saw on the button before the
 * tap. Bash: the exact command, or (offered only where it cannot smuggle code in) the program's
 * subcommand with any arguments. File tools: that folder and below. WebFetch: that host. Any other tool: the tool.
 * Rules live in memory per session; /new (the session ending) clears them.
 */
import { posix } from "node:path";
import type { ApprovalRequest } from "../../proto";
import { bashPrefix } from "./bash-prefix";

export type SessionRule =
  | { kind: "command"; command: string }
  | { kind: "program"; prefix: string }
  | { kind: "folder"; tool: string; folder: string }
  | { kind: "host"; tool: string; host: string }
  | { kind: "tool"; tool: string };

/** What "always" can mean for one request: the narrow rule, and a wider one where that is safe. */
export type RuleChoices = { narrow: SessionRule; wide?: SessionRule };

/** Tools that talk to the owner rather than act: never covered by a session rule. */
const CONVERSATIONAL = new Set(["AskUserQuestion", "ExitPlanMode"]);
const FILE_TOOLS: Record<string, "file" | "folder"> = { Read: "file", Write: "file", Edit: "file", MultiEdit: "file", NotebookEdit: "file", Glob: "folder", Grep: "folder", LS: "folder" };
/**
 * Programs that run code given in their arguments (`python3 -c`, `node -e`, `awk '…system()…'`,
 * `npx pkg`): one allowed call never widens to the program with any arguments.
 */
const RUNS_ARGUMENTS = new Set([
  "python", "python2", "python3", "py", "node", "nodejs", "deno", "bun", "bunx", "ruby", "irb", "perl", "php", "lua", "luajit", "Rscript", "R",
  "julia", "java", "jshell", "osascript", "awk", "gawk", "mawk", "nawk", "sed", "gsed", "npx", "pnpx", "uvx", "pipx", "tclsh", "expect", "dotnet", "pwsh",
]);
/** Subcommands that run whatever follows them. */
const RUNS_ARGUMENTS_SUB = new Set(["npm exec", "npm x", "pnpm exec", "pnpm dlx", "yarn exec", "yarn dlx", "uv run", "poetry run", "cargo run", "go run", "git config", "dotnet run"]);

export function ruleChoices(toolName: string, input: Record<string, unknown>): RuleChoices | undefined {
  if (CONVERSATIONAL.has(toolName)) return undefined;
  if (toolName === "Bash") {
    const command = typeof input.command === "string" ? input.command.trim() : "";
    if (!command) return undefined;
    // Wider means "this program's subcommand with any arguments" (`npm test …`, `git status …`):
    // never a bare program (`git -c …` sets config that runs commands), never a code runner.
    const prefix = bashPrefix(command);
    const [program = "", subcommand] = prefix.split(" ");
    const wideOk = subcommand !== undefined && prefix !== command && !RUNS_ARGUMENTS.has(program) && !RUNS_ARGUMENTS_SUB.has(prefix);
    return { narrow: { kind: "command", command }, ...(wideOk ? { wide: { kind: "program", prefix } } : {}) };
  }
  const fileKind = FILE_TOOLS[toolName];
  if (fileKind) {
    const path = pathOf(input);
    if (!path) return undefined;
    return { narrow: { kind: "folder", tool: toolName, folder: fileKind === "file" ? posix.dirname(path) : path } };
  }
  if (toolName === "WebFetch") {
    const host = hostOf(input.url);
    return host ? { narrow: { kind: "host", tool: toolName, host } } : undefined;
  }
  return { narrow: { kind: "tool", tool: toolName } };
}

/** The rule in a few words, as the button and the decided card say it. */
export function describeRule(rule: SessionRule): string {
  switch (rule.kind) {
    case "command": return `Bash \`${rule.command}\``;
    case "program": return `Bash \`${rule.prefix} …\``;
    case "folder": return `${rule.tool} in ${rule.folder}`;
    case "host": return `${rule.tool} from ${rule.host}`;
    case "tool": return rule.tool;
  }
}

function matches(rule: SessionRule, toolName: string, input: Record<string, unknown>): boolean {
  switch (rule.kind) {
    case "command":
      return toolName === "Bash" && typeof input.command === "string" && input.command.trim() === rule.command;
    case "program": {
      if (toolName !== "Bash" || typeof input.command !== "string") return false;
      const prefix = bashPrefix(input.command);
      return prefix !== "" && (prefix === rule.prefix || prefix.startsWith(`${rule.prefix} `));
    }
    case "folder": {
      const path = toolName === rule.tool ? pathOf(input) : undefined;
      return path !== undefined && (path === rule.folder || path.startsWith(rule.folder === "/" ? "/" : `${rule.folder}/`));
    }
    case "host":
      return toolName === rule.tool && hostOf(input.url) === rule.host;
    case "tool":
      return toolName === rule.tool;
  }
}

export class SessionRules {
  private rules = new Map<string, SessionRule[]>();

  add(sessionId: string, rule: SessionRule): void {
    const list = this.rules.get(sessionId) ?? [];
    list.push(rule);
    this.rules.set(sessionId, list);
  }

  /** The rule that allows this request, if any. */
  match(sessionId: string, event: Pick<ApprovalRequest, "toolName" | "input">): SessionRule | undefined {
    if (CONVERSATIONAL.has(event.toolName)) return undefined;
    return this.rules.get(sessionId)?.find((rule) => matches(rule, event.toolName, event.input));
  }

  clear(sessionId: string): void {
    this.rules.delete(sessionId);
  }
}

/** An absolute, normalised path from a file tool's input; undefined when there is none or it climbs out (`..`). */
export function pathOf(input: Record<string, unknown>): string | undefined {
  const raw = [input.file_path, input.notebook_path, input.path].find((v): v is string => typeof v === "string" && v !== "");
  if (!raw || !raw.startsWith("/")) return undefined;
  const normal = posix.normalize(raw);
  return normal.length > 1 ? normal.replace(/\/+$/, "") : normal;
}

function hostOf(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    return new URL(url).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
