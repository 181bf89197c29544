/**
 * Where the machine's tool policy comes from: `--deny-tool` / `--allow-tool` (repeatable),
 * `RA_DENY_TOOLS` / `RA_ALLOW_TOOLS` (comma-separated) and a JSON file given with `--policy`:
 *
 *     { "deny": ["WebFetch", "Bash(rm:*)"], "allow": ["Read", "Edit", "Bash(npm test:*)"] }
 *
 * All sources add up: every deny rule applies, and the allow list is the union of all allow rules.
 */
import { existsSync, readFileSync } from "node:fs";
import { z } from "../proto/zod";
import { ExitCode, RaError } from "../errors";
import type { ToolPolicy } from "./policy";
import { parseRule, type ToolRule } from "./policy-rules";

const rules = () => z._default(z.array(z.string().check(z.minLength(1))), []);
export const PolicyFile = z.strictObject({ deny: rules(), allow: rules() });

export type PolicySources = {
  roots: readonly string[];
  denyFlags?: readonly string[];
  allowFlags?: readonly string[];
  denyEnv?: readonly string[];
  allowEnv?: readonly string[];
  file?: string;
};

export function buildPolicy(s: PolicySources): ToolPolicy {
  const parse = (rules: readonly string[] | undefined, source: string): ToolRule[] => (rules ?? []).map((r) => parseRule(r, source));
  const file = s.file ? readPolicyFile(s.file) : { deny: [], allow: [] };
  return {
    roots: s.roots,
    deny: [...parse(s.denyFlags, "--deny-tool"), ...parse(s.denyEnv, "RA_DENY_TOOLS"), ...parse(file.deny, `${s.file} (deny)`)],
    allow: [...parse(s.allowFlags, "--allow-tool"), ...parse(s.allowEnv, "RA_ALLOW_TOOLS"), ...parse(file.allow, `${s.file} (allow)`)],
  };
}

export function readPolicyFile(path: string): z.infer<typeof PolicyFile> {
  const fail = (why: string) =>
    new RaError("policy_invalid", `the policy file ${path} ${why}`, {
      hint: 'write JSON like {"deny": ["WebFetch", "Bash(rm:*)"], "allow": ["Read", "Bash(npm test:*)"]}',
      exitCode: ExitCode.config,
    });
  if (!existsSync(path)) throw fail("does not exist");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw fail(`is not JSON: ${(cause as Error).message}`);
  }
  const parsed = PolicyFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw fail(`is not a valid policy: ${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`);
  }
  return parsed.data;
}

/** One line for the log: what the machine enforces. */
export function describePolicy(policy: ToolPolicy): string {
  const parts = [`file tools only inside ${policy.roots.join(", ")}`, "plan mode only reads"];
  if (policy.deny.length) parts.push(`denied: ${policy.deny.map((r) => r.text).join(", ")}`);
  if (policy.allow.length) parts.push(`only: ${policy.allow.map((r) => r.text).join(", ")}`);
  return parts.join("; ");
}
