/**
 * The machine's own rules for claude's tool calls, checked before the owner is asked. Whatever
 * the relay answers, a call this denies never runs: the relay (or whoever controls it) can only
 * narrow what the machine allows, never widen it.
 */
import type { PermissionMode } from "../proto";
import { normalize } from "node:path";
import { insideRoots, realPaths, toolPaths } from "./policy-paths";
import { claudeRuleText, ruleMatches, type ToolCall, type ToolRule } from "./policy-rules";

export type ToolPolicy = {
  /** The folders claude may touch with its file tools (real paths). */
  roots: readonly string[];
  deny: readonly ToolRule[];
  /** Empty: every tool may be asked about. Otherwise only these (and the ALWAYS_ASKABLE ones). */
  allow: readonly ToolRule[];
};

export type PolicyContext = { cwd: string; mode: PermissionMode };

export type PolicyVerdict =
  | { verdict: "ask" }
  /** `why` is one line for the owner ("outside the folders …"); `message` is what claude reads. */
  | { verdict: "deny"; why: string; message: string };

/** How claude talks to the owner and keeps its to-do list: nothing on the machine changes, so an allow list need not name them. */
const ALWAYS_ASKABLE = new Set(["ExitPlanMode", "AskUserQuestion", "EnterPlanMode", "TodoWrite", "TaskCreate", "TaskGet", "TaskList", "TaskUpdate"]);

/** Tools that change nothing on the machine: the only ones plan mode lets through. */
export const PLAN_MODE_TOOLS = new Set([
  ...ALWAYS_ASKABLE,
  "Read", "Glob", "Grep", "LS", "NotebookRead", "WebFetch", "WebSearch",
  "Task", "Agent", "TaskOutput",
]);

/** Tool names claude has offered (2.1.197 and 2.1.330), for turning an allow list into claude's own deny list. */
const KNOWN_TOOLS = [
  "Agent", "Task", "Bash", "Edit", "MultiEdit", "Write", "NotebookEdit", "Read", "Glob", "Grep", "LS", "WebFetch", "WebSearch",
  "CronCreate", "CronDelete", "CronList", "EnterWorktree", "ExitWorktree", "ListAgents", "Monitor", "ReportFindings",
  "ScheduleWakeup", "SendMessage", "Skill", "TaskCreate", "TaskGet", "TaskList", "TaskOutput", "TaskStop", "TaskUpdate",
  "ToolSearch", "Workflow", "KillShell", "BashOutput", "SlashCommand",
];

export function decide(policy: ToolPolicy, call: ToolCall, ctx: PolicyContext): PolicyVerdict {
  const named = toolPaths(call.toolName, call.input, ctx.cwd).map((path) => ({ shown: normalize(path), real: realPaths(path) }));
  const ruleCtx = { paths: [...new Set(named.flatMap((p) => [p.shown, ...p.real]))], cwd: ctx.cwd };
  const what = named.length ? `${call.toolName} ${named[0]!.shown}` : call.toolName;

  const denied = policy.deny.find((rule) => ruleMatches(rule, call, ruleCtx, "deny"));
  if (denied) return deny(`${what}: denied by the machine's rule ${denied.text}`, `${call.toolName} is denied on this machine by its rule ${denied.text} (set with ra agent --deny-tool or --policy); the owner cannot allow it from the phone.`);

  if (ctx.mode === "plan" && !PLAN_MODE_TOOLS.has(call.toolName)) {
    return deny(`${call.toolName} in plan mode`, `${call.toolName} is not allowed in plan mode: this machine lets plan mode only read. Propose the change with ExitPlanMode instead.`);
  }

  for (const { shown, real } of named) {
    const outside = real.find((path) => !insideRoots(path, policy.roots));
    if (outside === undefined) continue;
    const via = shown === outside ? "" : ` (it leads to ${outside})`;
    return deny(`${call.toolName} ${shown}: outside roots`, `${shown}${via} is outside the folders this machine allows (${policy.roots.join(", ")}); ra denied it on the machine, whatever the phone answers. Work inside those folders.`);
  }

  if (policy.allow.length && !ALWAYS_ASKABLE.has(call.toolName) && !policy.allow.some((rule) => ruleMatches(rule, call, ruleCtx, "allow"))) {
    return deny(`${what}: not in the machine's allowed tools`, `${call.toolName} is not among the tools this machine allows (ra agent --allow-tool or --policy): ${policy.allow.map((r) => r.text).join(", ")}.`);
  }
  return { verdict: "ask" };
}

const deny = (why: string, message: string): PolicyVerdict => ({ verdict: "deny", why, message });

/**
 * The `--disallowedTools` entries claude gets, so claude itself refuses what the machine denies,
 * also the calls it would make without asking: every deny rule, and with an allow list every
 * known tool the list does not name at all.
 */
export function claudeDisallowedTools(policy: ToolPolicy): string[] {
  const rules = policy.deny.map(claudeRuleText);
  if (policy.allow.length) {
    const named = new Set(policy.allow.map((rule) => rule.tool));
    for (const tool of KNOWN_TOOLS) if (!named.has(tool) && !ALWAYS_ASKABLE.has(tool)) rules.push(tool);
  }
  return [...new Set(rules)];
}
