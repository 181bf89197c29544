/**
 * Every option of `ra agent`, once. To add one, add an entry here: the flag, the help, the
 * variable, `ra service install` and the parsed values follow from it.
 */
import { join } from "node:path";
import { z } from "../proto/zod";
import { dataDir } from "../paths";
import { PermissionMode } from "../proto";
import { defineOptions, usage, type Values } from "./define";
import { logOptions } from "./log";
import { configFile, insecureHttp } from "./machine";
import { onOff, oneOf, text, whole } from "./types";

export const agentOptions = defineOptions({
  config: {
    ...configFile,
    help: "Config file written by `ra pair`",
    service: { computed: "loaded now (the machine must be paired) and made absolute; left out when it is the default" },
  },
  root: {
    key: "roots",
    kind: "list",
    env: "RA_ROOTS",
    type: z.array(text("a folder")),
    default: () => [process.cwd()],
    shownDefault: "the current directory",
    help: "Folder prompts may run in, the first is the default",
    valueHint: "dir",
    service: { computed: "each folder checked now and made absolute; the current directory when none is given" },
    example: ["/home/pi/code", "/home/pi/notes"],
  },
  claude: {
    key: "claude",
    kind: "string",
    env: "RA_CLAUDE",
    type: text("a path"),
    shownDefault: "claude on PATH",
    help: "Path of the claude executable",
    valueHint: "path",
    service: { computed: "found now (on the PATH of the install) and written as an absolute path: a service has no shell PATH" },
    example: "/usr/local/bin/claude",
  },
  "data-dir": {
    key: "dataDir",
    kind: "string",
    env: "RA_DATA_DIR",
    type: text("a folder"),
    default: (env) => join(dataDir(env), "agent"),
    shownDefault: "~/.local/share/ra/agent",
    help: "Where undelivered output and conversations survive restarts",
    valueHint: "dir",
    service: "path",
    example: "/home/pi/ra-data",
  },
  "max-mode": {
    key: "maxMode",
    kind: "string",
    env: "RA_MAX_MODE",
    type: oneOf(PermissionMode.options, "takes plan, default or acceptEdits"),
    default: "acceptEdits",
    help: "Highest permission mode the phone may choose: plan, default or acceptEdits",
    valueHint: "mode",
    hint: "bypassPermissions also needs --allow-bypass",
    service: "pass",
    example: "plan",
  },
  "allow-bypass": {
    key: "allowBypass",
    kind: "boolean",
    type: onOff(),
    help: "Also allow bypassPermissions (claude then runs tools without asking)",
    service: "pass",
    example: true,
  },
  "deny-tool": {
    key: "denyTools",
    kind: "list",
    env: "RA_DENY_TOOLS",
    type: z.array(text("a tool rule")),
    default: () => [],
    shownDefault: "none",
    help: "Tool rule claude may never use, whatever the phone answers: Bash, WebFetch, Bash(rm:*), Read(secrets/**)",
    valueHint: "rule",
    service: "pass",
    example: ["WebFetch", "Bash(rm:*)"],
  },
  "allow-tool": {
    key: "allowTools",
    kind: "list",
    env: "RA_ALLOW_TOOLS",
    type: z.array(text("a tool rule")),
    default: () => [],
    shownDefault: "every tool",
    help: "Only tools matching these rules may be asked about (the owner still decides, roots still apply)",
    valueHint: "rule",
    service: "pass",
    example: ["Read", "Edit", "Bash(npm test:*)"],
  },
  policy: {
    key: "policy",
    kind: "string",
    env: "RA_POLICY",
    type: text("a file"),
    help: 'JSON file with tool rules: {"deny": [...], "allow": [...]}',
    valueHint: "file",
    service: { computed: "checked now (a bad file fails the install, not the boot) and made absolute" },
    example: "/home/pi/ra-policy.json",
  },
  sandbox: {
    key: "sandbox",
    kind: "boolean",
    env: "RA_SANDBOX",
    type: onOff(),
    help: "Run claude in an OS sandbox where only the roots and claude's config are writable: bubblewrap on Linux, sandbox-exec on macOS",
    service: "pass",
    example: true,
  },
  "max-sessions": {
    key: "maxSessions",
    kind: "string",
    env: "RA_MAX_SESSIONS",
    type: whole({ min: 1, max: 100 }),
    default: "4",
    help: "Live claude processes at most; when a prompt needs one more, the least recently used idle one is ended first (resumed on its next prompt)",
    valueHint: "n",
    service: "pass",
    example: "8",
  },
  "idle-timeout": {
    key: "idleTimeoutMs",
    kind: "string",
    env: "RA_IDLE_TIMEOUT",
    type: z.pipe(whole({ min: 1 }, "seconds"), z.transform((s: number) => s * 1000)),
    default: "600",
    help: "Seconds a claude process may sit idle (no turn, no approval) before it is ended; the next prompt resumes the conversation",
    valueHint: "s",
    service: "pass",
    example: "120",
  },
  "insecure-http": { ...insecureHttp, service: "pass" },
  ...logOptions,
});

export type AgentValues = Values<typeof agentOptions>;

/** The ceiling the phone may choose: --allow-bypass raises it to bypassPermissions; naming bypassPermissions alone is refused. */
export function maxMode(mode: PermissionMode, allowBypass: boolean): PermissionMode {
  if (mode === "bypassPermissions" && !allowBypass) throw usage("--max-mode bypassPermissions needs --allow-bypass", "claude then runs every tool without asking; add --allow-bypass only if you mean it");
  return allowBypass ? "bypassPermissions" : mode;
}
