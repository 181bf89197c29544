/**
 * Tool rules in claude's own syntax, kept small: `Tool` (every call of the tool),
 * `Bash(git status)` (exactly that command), `Bash(npm test:*)` (that command and anything after
 * a space), `Read(src/**)` / `Edit(/etc/**)` / `Write(~/notes/*)` (a path glob, relative to the
 * session's working folder unless absolute or `~/`), `WebFetch(domain:example.com)`.
 */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { ExitCode, RaError } from "../errors";

export type ToolRule =
  | { text: string; tool: string; kind: "tool" }
  | { text: string; tool: string; kind: "command"; command: string; prefix: boolean }
  | { text: string; tool: string; kind: "path"; glob: string }
  | { text: string; tool: string; kind: "domain"; domain: string };

export type ToolCall = { toolName: string; input: Record<string, unknown> };

/** Tools whose specifier is a path glob. */
export const PATH_RULE_TOOLS = new Set(["Read", "Write", "Edit", "MultiEdit", "NotebookEdit", "NotebookRead", "Glob", "Grep", "LS"]);

const RULE = /^([A-Za-z][A-Za-z0-9_-]*)(?:\((.*)\))?$/s;

/** Parses one rule; throws a usage error naming `source` (the flag, variable or file) on a bad one. */
export function parseRule(raw: string, source: string): ToolRule {
  const text = raw.trim();
  const bad = (why: string) =>
    new RaError("policy_rule", `${source}: "${raw}" is not a tool rule (${why})`, {
      hint: "write a tool name (Bash, Read, WebFetch), Bash(git status), Bash(npm test:*), Read(src/**) or WebFetch(domain:example.com)",
      exitCode: ExitCode.usage,
    });
  if (text.includes(",")) return badRule(bad, "a rule cannot hold a comma: claude and RA_DENY_TOOLS split rules at commas");
  const match = RULE.exec(text);
  if (!match) return badRule(bad, "expected Tool or Tool(specifier)");
  const tool = match[1]!;
  const spec = match[2];
  if (spec === undefined) return { text, tool, kind: "tool" };
  const inner = spec.trim();
  if (!inner) return badRule(bad, "the part in brackets is empty");
  if (tool === "Bash") {
    const prefix = inner.endsWith(":*");
    const command = prefix ? inner.slice(0, -2).trim() : inner;
    if (!command) return badRule(bad, "no command before :*");
    return { text, tool, kind: "command", command, prefix };
  }
  if (PATH_RULE_TOOLS.has(tool)) return { text, tool, kind: "path", glob: inner };
  if (tool === "WebFetch" && inner.startsWith("domain:") && inner.length > 7) return { text, tool, kind: "domain", domain: inner.slice(7).toLowerCase() };
  return badRule(bad, `ra understands a specifier only for Bash, file tools and WebFetch(domain:…); use plain ${tool} for every ${tool} call`);
}

function badRule(make: (why: string) => RaError, why: string): never {
  throw make(why);
}

/** Where a path rule's glob points, as an absolute glob (relative ones hang off the session's working folder). */
export function absoluteGlob(glob: string, cwd: string, home = homedir()): string {
  if (glob.startsWith("~/")) return join(home, glob.slice(2));
  if (glob.startsWith("//")) return glob.slice(1);
  if (isAbsolute(glob)) return glob;
  return join(cwd, glob.startsWith("./") ? glob.slice(2) : glob);
}

/**
 * The rule as claude's `--disallowedTools` understands it (claude reads `//abs` as an absolute
 * path and `./x` as relative to its working folder), so claude refuses it even for calls it
 * would run without asking (reads in the working folder, `ls`, `echo`).
 */
export function claudeRuleText(rule: ToolRule): string {
  if (rule.kind !== "path") return rule.text;
  const glob = rule.glob.startsWith("~/") || rule.glob.startsWith("//") ? rule.glob : isAbsolute(rule.glob) ? `/${rule.glob}` : rule.glob.startsWith("./") ? rule.glob : `./${rule.glob}`;
  return `${rule.tool}(${glob})`;
}

const SHELL_JOINS = /&&|\|\||[;&|\n`]|\$\(|[()]/;

/** The simple commands of a shell line, split at `;`, `&&`, `||`, `|`, `&`, newlines, `$(…)` and backticks. */
export function subcommands(command: string): string[] {
  return command.split(SHELL_JOINS).map((part) => part.trim()).filter(Boolean);
}

/** Whether a command matches `Bash(cmd)` / `Bash(cmd:*)`; whitespace runs count as one space. */
export function commandMatches(command: string, rule: { command: string; prefix: boolean }): boolean {
  const got = command.trim().replace(/\s+/g, " ");
  const want = rule.command.replace(/\s+/g, " ");
  return rule.prefix ? got === want || got.startsWith(`${want} `) : got === want;
}

/** Shell features that make a command more than the words a rule names. */
const SHELL_FEATURES = /[;&|\n`$<>()\\]/;

export type RuleContext = {
  /** Absolute paths the call touches: the literal one and the one with symlinks resolved. */
  paths: string[];
  cwd: string;
};

/**
 * Whether `rule` covers `call`. A deny rule is read broadly (any subcommand of a shell line, any
 * spelling of a path); an allow rule narrowly (a plain command without shell features, every
 * path the call touches).
 */
export function ruleMatches(rule: ToolRule, call: ToolCall, ctx: RuleContext, use: "deny" | "allow"): boolean {
  if (rule.tool !== call.toolName) return false;
  switch (rule.kind) {
    case "tool":
      return true;
    case "command": {
      const command = typeof call.input.command === "string" ? call.input.command : "";
      if (use === "deny") return commandMatches(command, rule) || subcommands(command).some((part) => commandMatches(part, rule));
      return !SHELL_FEATURES.test(command) && commandMatches(command, rule);
    }
    case "path": {
      if (ctx.paths.length === 0) return use === "deny";
      const glob = new Bun.Glob(absoluteGlob(rule.glob, ctx.cwd));
      const hit = (path: string) => glob.match(path);
      return use === "deny" ? ctx.paths.some(hit) : ctx.paths.every(hit);
    }
    case "domain": {
      const host = hostOf(call.input.url);
      if (host === null) return use === "deny";
      return host === rule.domain || host.endsWith(`.${rule.domain}`);
    }
  }
}

function hostOf(url: unknown): string | null {
  if (typeof url !== "string") return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}
