import type { PermissionMode } from "../proto";
import type { PermissionHandler } from "./permission";

/**
 * A runner drives one agent CLI conversation (a "session") as a child process. The Claude runner
 * is the first implementation; Codex or Gemini runners would implement the same interface.
 */
export interface RunnerSessionOptions {
  /** Working directory, already validated by the agent. */
  cwd: string;
  /** Continue this CLI session id (claude --resume) instead of starting fresh. */
  resume?: string;
  mode?: PermissionMode;
  /** Environment for the child, already filtered by the agent. */
  env: Record<string, string>;
  /** Decides claude's permission questions for this session; absent means deny everything. */
  onPermissionRequest?: PermissionHandler;
}

/** What a runner reports, in the order it happens. */
export type RunnerEvent =
  | { kind: "init"; sessionId: string; model?: string; cwd?: string }
  | { kind: "text"; text: string }
  | { kind: "tool"; toolUseId: string; name: string; input: Record<string, unknown> }
  | { kind: "tool.result"; toolUseId: string; isError: boolean; output: string }
  | {
      kind: "result";
      /** done, stopped (interrupted), failed (API or CLI error) */
      status: "done" | "stopped" | "failed";
      durationMs: number;
      costUsd?: number;
      turns?: number;
      sessionId?: string;
      error?: string;
    }
  /** The child printed a line that is not JSON or not understood in a harmful way; informational. */
  | { kind: "garbage"; line: string }
  /** The child process ended. A session is unusable after this. */
  | { kind: "exit"; code: number | null; signal: string | null; stderrTail: string };

/** An image given to claude with a prompt (claude reads it as an image, not as a file). */
export type PromptImage = { mediaType: string; base64: string };

export interface RunnerSession {
  /** Sends one user prompt (starts a turn), with images to look at. */
  send(text: string, images?: readonly PromptImage[]): void;
  /** Switches claude's permission mode for the rest of the session; false if claude did not confirm. */
  setMode(mode: PermissionMode): Promise<boolean>;
  /** Interrupts the running turn; the session stays usable. Resolves when claude acknowledged. */
  interrupt(): Promise<void>;
  /** Ends the child (close stdin, then SIGTERM, then SIGKILL to its process group). */
  close(): Promise<void>;
  /** Subscribes to events; returns an unsubscribe function. */
  onEvent(listener: (event: RunnerEvent) => void): () => void;
  readonly pid: number;
  readonly exited: Promise<number | null>;
}

export interface Runner {
  start(options: RunnerSessionOptions): RunnerSession;
}
