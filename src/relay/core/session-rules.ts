import type { ApprovalRequest } from "../../proto";
import { bashPrefix } from "./bash-prefix";

/** Tools that talk to the owner rather than act: never covered by a session rule. */
const CONVERSATIONAL = new Set(["AskUserQuestion", "ExitPlanMode"]);

/**
 * "Allow for this session" rules, per session: tool names, or `Bash:<prefix>` for commands.
 * Kept in memory; /new (or the session ending) clears them.
 */
export class SessionRules {
  private rules = new Map<string, Set<string>>();

  /** Adds the rule an "allow for this session" on this request means; returns it (undefined: none). */
  add(sessionId: string, toolName: string, input: Record<string, unknown>): string | undefined {
    const rule = ruleFor(toolName, input);
    if (!rule) return undefined;
    let set = this.rules.get(sessionId);
    if (!set) this.rules.set(sessionId, (set = new Set()));
    set.add(rule);
    return rule;
  }

  /** The rule that allows this request, if any. */
  match(sessionId: string, event: Pick<ApprovalRequest, "toolName" | "input">): string | undefined {
    const rules = this.rules.get(sessionId);
    if (!rules || CONVERSATIONAL.has(event.toolName)) return undefined;
    if (event.toolName === "Bash") {
      const prefix = bashPrefix(typeof event.input.command === "string" ? event.input.command : "");
      return [...rules].find((r) => r.startsWith("Bash:") && prefix !== "" && (prefix === r.slice(5) || prefix.startsWith(`${r.slice(5)} `)));
    }
    return rules.has(event.toolName) ? event.toolName : undefined;
  }

  clear(sessionId: string): void {
    this.rules.delete(sessionId);
  }
}

function ruleFor(toolName: string, input: Record<string, unknown>): string | undefined {
  if (CONVERSATIONAL.has(toolName)) return undefined;
  if (toolName !== "Bash") return toolName;
  const prefix = bashPrefix(typeof input.command === "string" ? input.command : "");
  return prefix ? `Bash:${prefix}` : undefined;
}
