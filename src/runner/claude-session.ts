/**
 * One running claude process = one RunnerSession. stdin stays open for the life of the session and
 * carries only lines we serialise ourselves (one bad line kills claude). stdout is read line by
 * line into runner events; control messages are handled here: permission questions go to the
 * PermissionHandler, interrupt acknowledgements resolve interrupt(), cancels abort a pending
 * question. `exit` is always the last event, after stdout has drained.
 */
import { createLog } from "../log";
import { parseClaudeLine, type ClaudeLine } from "./claude-parse";
import { createLineSplitter } from "./lines";
import type { RunnerLimits } from "./limits";
import { DEFAULT_DENY_MESSAGE, type PermissionDecision, type PermissionHandler } from "./permission";
import type { ChildProcess } from "./spawn";
import { createTail } from "./tail";
import type { RunnerEvent, RunnerSession } from "./types";

export interface ClaudeSessionDeps {
  child: ChildProcess;
  onPermissionRequest: PermissionHandler;
  limits: RunnerLimits;
  /** Fresh ids for our control requests. */
  newId?: () => string;
}

const log = createLog("runner");

export function startClaudeSession(deps: ClaudeSessionDeps): RunnerSession {
  const { child, onPermissionRequest, limits } = deps;
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const listeners = new Set<(event: RunnerEvent) => void>();
  const interrupts = new Map<string, () => void>();
  const permissions = new Map<string, AbortController>();
  const stderrTail = createTail(limits.stderrTailBytes);
  let sessionId: string | undefined;
  let turnsInFlight = 0;
  let interruptedTurn = false;
  let closing: Promise<void> | undefined;
  let childGone = false;

  const emit = (event: RunnerEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (err) {
        log.error("runner event listener threw", err);
      }
    }
  };

  /** The only way anything reaches claude's stdin. */
  const writeLine = (message: Record<string, unknown>): boolean => {
    const line = JSON.stringify(message);
    if (typeof line !== "string" || line.includes("\n")) {
      throw new Error("refusing to write a line that is not one JSON object");
    }
    return child.write(`${line}\n`);
  };

  const handleLine = (line: string) => {
    const parsed: ClaudeLine = parseClaudeLine(line, { interrupted: interruptedTurn });
    switch (parsed.type) {
      case "events":
        for (const event of parsed.events) {
          if (event.kind === "init") sessionId = event.sessionId;
          if (event.kind === "result") {
            turnsInFlight = Math.max(0, turnsInFlight - 1);
            interruptedTurn = false;
          }
          emit(event);
        }
        return;
      case "control_response":
        interrupts.get(parsed.requestId)?.();
        return;
      case "control_cancel":
        permissions.get(parsed.requestId)?.abort();
        return;
      case "control_request":
        if (parsed.subtype === "can_use_tool") return void askPermission(parsed.requestId, parsed.request);
        writeLine({
          type: "control_response",
          response: {
            subtype: "error",
            request_id: parsed.requestId,
            error: `Unsupported control request subtype: ${parsed.subtype}`,
          },
        });
        return;
    }
  };

  const askPermission = async (requestId: string, request: Record<string, unknown>) => {
    if (permissions.has(requestId)) return; // a duplicate delivery of a question already being decided
    const controller = new AbortController();
    permissions.set(requestId, controller);
    const input = isRecord(request.input) ? request.input : {};
    let decision: PermissionDecision;
    try {
      decision = await onPermissionRequest(
        {
          requestId,
          toolName: typeof request.tool_name === "string" ? request.tool_name : "unknown",
          input,
          toolUseId: typeof request.tool_use_id === "string" ? request.tool_use_id : undefined,
          description: typeof request.description === "string" ? request.description : undefined,
          sessionId,
        },
        controller.signal,
      );
    } catch (err) {
      log.warn("permission handler failed; denying", err);
      decision = { behavior: "deny", message: DEFAULT_DENY_MESSAGE };
    } finally {
      permissions.delete(requestId);
    }
    if (controller.signal.aborted || childGone) return;
    const response = toWire(decision, input);
    writeLine({ type: "control_response", response: { subtype: "success", request_id: requestId, response } });
  };

  const pump = (stream: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void) => {
    const reader = stream.getReader();
    const done = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          onChunk(value);
        }
      } catch {
        // the pipe broke or was cancelled: treat as end of stream
      }
    })();
    return { done, cancel: () => void reader.cancel().catch(() => {}) };
  };

  const handleLineSafely = (line: string) => {
    try {
      handleLine(line);
    } catch (err) {
      log.error("could not handle a line from claude", err);
    }
  };
  const splitter = createLineSplitter();
  const stdout = pump(child.stdout, (chunk) => splitter.push(chunk).forEach(handleLineSafely));
  const stderr = pump(child.stderr, stderrTail.push);

  const exited = (async () => {
    const status = await child.exited;
    childGone = true;
    if (!(await within(Promise.all([stdout.done, stderr.done]), limits.drainGraceMs))) {
      log.warn("claude exited but its output pipes stayed open; dropping the rest");
      stdout.cancel();
      stderr.cancel();
    }
    splitter.end().forEach(handleLineSafely);
    for (const controller of permissions.values()) controller.abort();
    for (const resolve of interrupts.values()) resolve();
    emit({ kind: "exit", code: status.code, signal: status.signal, stderrTail: stderrTail.text() });
    return status.code;
  })();

  const waitExit = (ms: number) => within(child.exited, ms);

  const sendInterrupt = (): string | undefined => {
    const requestId = `ra-interrupt-${newId()}`;
    if (turnsInFlight > 0) interruptedTurn = true;
    const written = writeLine({ type: "control_request", request_id: requestId, request: { subtype: "interrupt" } });
    return written ? requestId : undefined;
  };

  return {
    pid: child.pid,
    exited,
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    send(text, images = []) {
      if (typeof text !== "string") throw new TypeError("send() takes the prompt text as a string");
      // After close() or exit the session is unusable; the `exit` event tells the caller so.
      if (closing || childGone) return;
      const content = images.length === 0 ? text : [
        ...images.map((i) => ({ type: "image", source: { type: "base64", media_type: i.mediaType, data: i.base64 } })),
        { type: "text", text },
      ];
      const message = { role: "user", content };
      if (writeLine({ type: "user", message, parent_tool_use_id: null, session_id: "" })) turnsInFlight++;
    },
    async setMode(mode) {
      if (childGone || closing) return false;
      const requestId = `ra-mode-${newId()}`;
      const acknowledged = new Promise<void>((resolve) => interrupts.set(requestId, resolve));
      if (!writeLine({ type: "control_request", request_id: requestId, request: { subtype: "set_permission_mode", mode } })) return false;
      const inTime = await within(acknowledged, limits.interruptAckMs);
      interrupts.delete(requestId);
      return inTime;
    },
    async interrupt() {
      if (childGone) return;
      const requestId = sendInterrupt();
      if (!requestId) return;
      // Resolved by the acknowledgement, or (via the exit handler) when claude goes away.
      const acknowledged = new Promise<void>((resolve) => interrupts.set(requestId, resolve));
      const inTime = await within(acknowledged, limits.interruptAckMs);
      interrupts.delete(requestId);
      if (!inTime) log.warn(`claude did not acknowledge the interrupt within ${limits.interruptAckMs} ms`);
    },
    close() {
      closing ??= (async () => {
        if (!childGone) {
          // Stop a running turn first: with stdin closed mid-turn claude would finish the turn.
          if (turnsInFlight > 0) sendInterrupt();
          child.endInput();
          if (!(await waitExit(limits.closeGraceMs))) {
            child.signalGroup("SIGTERM");
            if (!(await waitExit(limits.killGraceMs))) child.signalGroup("SIGKILL");
          }
        }
        await exited;
        // Tools claude started (and a SIGKILLed claude left behind) are still in its group: killed,
        // and close() resolves once they are gone (a process is gone a moment after its SIGKILL).
        for (let waited = 0; child.signalGroup("SIGKILL") && waited < GROUP_GONE_MS; waited += GROUP_POLL_MS) await Bun.sleep(GROUP_POLL_MS);
      })();
      return closing;
    },
  };
}

/** How long close() waits for the rest of claude's process group to be gone after SIGKILL, checking every GROUP_POLL_MS. */
const GROUP_GONE_MS = 2000;
const GROUP_POLL_MS = 10;

/** True if `promise` settles within `ms`; the timer never outlives the wait. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Fails closed: anything but an explicit allow is sent as a deny; an allow always carries updatedInput. */
function toWire(decision: PermissionDecision, input: Record<string, unknown>): Record<string, unknown> {
  if (decision?.behavior === "allow") {
    return { behavior: "allow", updatedInput: isRecord(decision.updatedInput) ? decision.updatedInput : input };
  }
  const given = decision?.behavior === "deny" ? decision.message : undefined;
  return { behavior: "deny", message: typeof given === "string" && given ? given : DEFAULT_DENY_MESSAGE };
}
