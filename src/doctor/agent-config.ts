import { statSync } from "node:fs";
import { type AgentConfig, loadAgentConfig } from "../agent/config";
import { type CheckResult, failFrom, ok } from "./check";

/** The config `ra pair` wrote: present, valid, mode 0600. Returns it for the relay checks. */
export function checkAgentConfig(path: string): { result: CheckResult; config?: AgentConfig } {
  try {
    const config = loadAgentConfig(path);
    const mode = (statSync(path).mode & 0o777).toString(8).padStart(4, "0");
    return { result: ok("config", `${path} (mode ${mode}), paired as "${config.name}"`), config };
  } catch (err) {
    return { result: failFrom("config", err) };
  }
}
