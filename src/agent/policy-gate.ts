import type { PermissionDecision, PermissionHandler } from "../runner/permission";
import { decide, type PolicyContext, type ToolPolicy } from "./policy";

export type PolicyGateDeps = {
  policy: ToolPolicy;
  /** The session as it is now (its mode changes with /mode and after an approved plan). */
  context(): PolicyContext;
  /** A call was denied on the machine; `why` is one line for the owner. */
  denied(why: string): void;
  /** The owner approved leaving plan mode (ExitPlanMode allowed). */
  planApproved?(): void;
};

/**
 * Puts the machine's policy in front of a permission handler (the one that asks the owner): a
 * call the policy denies is answered at once and never reaches the owner, and an allow coming
 * back is checked again against the input it would really run with.
 */
export function policyGate(deps: PolicyGateDeps, ask: PermissionHandler): PermissionHandler {
  return async (request, signal): Promise<PermissionDecision> => {
    const before = decide(deps.policy, { toolName: request.toolName, input: request.input }, deps.context());
    if (before.verdict === "deny") {
      deps.denied(before.why);
      return { behavior: "deny", message: before.message };
    }
    const decision = await ask(request, signal);
    if (decision.behavior !== "allow") return decision;
    const after = decide(deps.policy, { toolName: request.toolName, input: decision.updatedInput }, deps.context());
    if (after.verdict === "deny") {
      deps.denied(after.why);
      return { behavior: "deny", message: after.message };
    }
    if (request.toolName === "ExitPlanMode") deps.planApproved?.();
    return decision;
  };
}
