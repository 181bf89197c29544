/** Is ra installed as a service here, and running? (Optional: running ra by hand is fine too.) */
import { existsSync } from "node:fs";
import type { ServiceLayout } from "../service/layout";
import type { ServiceManager } from "../service/manager";
import { type CheckResult, fail, failFrom, ok, warn } from "./check";

export async function checkService(manager: ServiceManager, layout: ServiceLayout, user: string): Promise<CheckResult> {
  const name = "service";
  const flags = layout.role === "serve" ? " --serve" : "";
  const scope = layout.target.scope === "system" ? " --system" : "";
  if (!existsSync(layout.target.file)) return warn(name, `ra ${layout.role} is not installed as a service, so it will not start at boot`, `ra service install${flags}`);
  try {
    const state = await manager.state(layout.target);
    if (!state.running) return fail(name, `${layout.target.name} is installed but not running (${state.detail ?? "stopped"}, last exit: ${state.lastExit ?? "unknown"})`, `see why: ra service logs${flags}${scope}; then ra service start${flags}${scope}`);
    const linger = layout.target.scope === "user" ? await manager.linger(user) : undefined;
    if (linger === false) return warn(name, `${layout.target.name} runs, but starts only when ${user} logs in`, `loginctl enable-linger ${user}`);
    return ok(name, `${layout.target.name} installed and running${state.pid ? ` (pid ${state.pid})` : ""}`);
  } catch (err) {
    return failFrom(name, err);
  }
}
