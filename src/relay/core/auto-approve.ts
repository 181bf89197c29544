/**
 * /auto: for one session, the owner lets a named set of tool calls run without a card until a
 * time or a spend runs out. Anything outside the set still asks; once the budget is used up the
 * next call asks (once told why) and the grant is gone. Grants are stored, so a relay restart
 * keeps them; /new or /auto off ends them.
 */
import { posix } from "node:path";
import type { Clock } from "../../clock";
import type { ApprovalRequest } from "../../proto";
import type { Session, Store } from "../store/types";
import { bashPrefix } from "./bash-prefix";
import type { MachineLimits } from "./machine-limits";
import { pathOf } from "./session-rules";

export const AUTO_SCOPES = ["edits", "reads", "tests"] as const;
export type AutoScope = (typeof AUTO_SCOPES)[number];

/** What each scope is called on buttons, notices and in the audit log. */
export const SCOPE_NAMES: Record<AutoScope, string> = { edits: "edits in the project", reads: "read-only commands", tests: "tests" };

export type AutoGrant = {
  sessionId: string;
  scopes: AutoScope[];
  /** Epoch ms when it ends; absent: no time limit (then a spend limit is set). */
  until?: number;
  budgetUsd?: number;
  spentUsd: number;
  grantedBy: number;
  grantedAt: number;
};

const EDIT_TOOLS = new Set(["Write", "Edit", "MultiEdit", "NotebookEdit"]);
/** Programs that only read (whatever their plain arguments); `find`, `sed`, `awk` can write or run code and are not here. */
const READ_ONLY = new Set(["ls", "cat", "head", "tail", "wc", "grep", "rg", "pwd", "tree", "file", "stat", "du", "df", "diff", "which", "uname", "date", "echo", "nl", "sort", "uniq", "cut"]);
const READ_ONLY_GIT = new Set(["status", "diff", "log", "show", "branch", "blame", "remote"]);
/** Test runners, as the whole command (one command, nothing chained or redirected). */
const TESTS = /^(?:(?:npm|pnpm|yarn|bun) (?:run )?test|bun test|(?:python3? -m )?pytest|go test|cargo test|make (?:test|check)|(?:mvn|gradle|\.\/gradlew) test|deno test|mix test|rspec|phpunit)(?:\s|$)/;

const key = (sessionId: string) => `auto:${sessionId}`;

export class AutoApprove {
  /** Calls auto-approved per turn, until the turn's digest takes the count. */
  private used = new Map<string, number>();

  constructor(private readonly deps: { store: Store; clock: Clock; limits: MachineLimits }) {}

  async grant(grant: AutoGrant): Promise<void> {
    await this.deps.store.set(key(grant.sessionId), JSON.stringify(grant));
  }

  async end(sessionId: string): Promise<boolean> {
    const had = (await this.deps.store.get(key(sessionId))) !== undefined;
    await this.deps.store.del(key(sessionId));
    return had;
  }

  /** The session's grant, whether or not its budget is left. */
  async of(sessionId: string): Promise<AutoGrant | undefined> {
    const raw = await this.deps.store.get(key(sessionId));
    return raw ? (JSON.parse(raw) as AutoGrant) : undefined;
  }

  /** Why the grant is used up (time or spend), or undefined while it holds. */
  exhausted(grant: AutoGrant): string | undefined {
    if (grant.until !== undefined && this.deps.clock.now() >= grant.until) return `its ${formatMinutes(grant.until - grant.grantedAt)} are over`;
    if (grant.budgetUsd !== undefined && grant.spentUsd >= grant.budgetUsd) return `$${grant.spentUsd.toFixed(2)} of its $${grant.budgetUsd.toFixed(2)} are spent`;
    return undefined;
  }

  /** A call of this turn was auto-approved. */
  count(turnId: string): void {
    this.used.set(turnId, (this.used.get(turnId) ?? 0) + 1);
  }

  /** How many calls of the turn were auto-approved (asked once, when the turn ended). */
  takeUsed(turnId: string): number {
    const n = this.used.get(turnId) ?? 0;
    this.used.delete(turnId);
    return n;
  }

  /** A turn of the session cost this much: counted against a spend limit. */
  async spent(sessionId: string, usd: number): Promise<void> {
    const grant = await this.of(sessionId);
    if (grant) await this.grant({ ...grant, spentUsd: grant.spentUsd + usd });
  }

  /** The scope of the grant that covers this request, if any. */
  covers(grant: AutoGrant, session: Session, event: Pick<ApprovalRequest, "toolName" | "input">): AutoScope | undefined {
    return grant.scopes.find((scope) => this.inScope(scope, session, event));
  }

  private inScope(scope: AutoScope, session: Session, { toolName, input }: Pick<ApprovalRequest, "toolName" | "input">): boolean {
    if (scope === "edits") {
      const folder = this.folderOf(session);
      const path = EDIT_TOOLS.has(toolName) ? pathOf(input) : undefined;
      return folder !== undefined && path !== undefined && path.startsWith(folder === "/" ? "/" : `${folder}/`);
    }
    if (toolName !== "Bash" || typeof input.command !== "string") return false;
    const command = input.command.trim();
    const prefix = bashPrefix(command);
    if (!prefix) return false; // chained, piped, redirected or substituted: always asks
    if (scope === "tests") return isTestCommand(command);
    const [program = "", sub] = prefix.split(" ");
    if (program === "git") return sub !== undefined && READ_ONLY_GIT.has(sub) && !/\s--output\b|\s-o\b/.test(command);
    return READ_ONLY.has(program);
  }

  /** The session's folder as an absolute path: its /cd folder, or the machine's first root. */
  private folderOf(session: Session): string | undefined {
    const root = this.deps.limits.of(session.deviceId)?.roots[0];
    const folder = session.cwd ? (session.cwd.startsWith("/") ? session.cwd : root && posix.join(root, session.cwd)) : root;
    return folder ? posix.normalize(folder).replace(/(.)\/+$/, "$1") : undefined;
  }
}

export const formatMinutes = (ms: number) => {
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 || minutes % 60 !== 0 ? `${minutes} min` : `${minutes / 60} h`;
};

/** A test run (npm test, pytest, go test …) as the whole command. */
export const isTestCommand = (command: string) => TESTS.test(command.trim());
