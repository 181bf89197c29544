/** The runner's public face: the Claude runner, its seams and the event types. */
export { createClaudeRunner, type ClaudeRunner, type ClaudeRunnerDeps, type ClaudeSessionOptions } from "./claude-runner";
export { DEFAULT_LIMITS, type RunnerLimits } from "./limits";
export {
  DEFAULT_DENY_MESSAGE,
  denyAllPermissions,
  type PermissionDecision,
  type PermissionHandler,
  type PermissionRequest,
} from "./permission";
export { bunSpawner, type ChildExit, type ChildProcess, type SpawnRequest, type Spawner } from "./spawn";
export type { Runner, RunnerEvent, RunnerSession, RunnerSessionOptions } from "./types";
