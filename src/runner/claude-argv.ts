/**
 * The claude command line. Prompts never appear here (argv is visible in `ps`); they go over
 * stdin. The permission mode is validated here because 2.1.197 silently accepts unknown modes,
 * and the resume id because a value starting with "-" would be read as a flag.
 */
import { RaError } from "../errors";
import { PermissionMode } from "../proto";

export interface ClaudeArgvInput {
  claudePath: string;
  mode?: string;
  resume?: string;
  /** Rules claude refuses by itself (`--disallowedTools`), also for calls it would not ask about. */
  disallowedTools?: readonly string[];
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function buildClaudeArgv({ claudePath, mode = "default", resume, disallowedTools = [] }: ClaudeArgvInput): string[] {
  const parsedMode = PermissionMode.safeParse(mode);
  if (!parsedMode.success) {
    throw new RaError("mode_refused", `Unknown permission mode "${mode}".`, {
      hint: `Use one of: ${PermissionMode.options.join(", ")}.`,
    });
  }
  if (resume !== undefined && !SESSION_ID.test(resume)) {
    throw new RaError("unknown_session", `"${resume}" is not a claude session id.`, {
      hint: "A session id looks like 1c2e8af7-c6a0-43cf-9456-7c3c3cd84d5c.",
    });
  }
  return [
    claudePath,
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
    "--include-partial-messages",
    // Permission prompts come to us as control_requests on stdout instead of auto-denials.
    "--permission-prompt-tool",
    "stdio",
    "--permission-mode",
    parsedMode.data,
    // No project-level settings or MCP servers from the (possibly untrusted) working directory.
    "--setting-sources",
    "user",
    "--strict-mcp-config",
    // One flag per rule: claude splits a value at commas.
    ...disallowedTools.map((rule) => `--disallowedTools=${rule}`),
    ...(resume ? ["--resume", resume] : []),
  ];
}
