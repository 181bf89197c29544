import { join } from "node:path";
import type { Clock } from "../clock";
import { ExitCode, RaError } from "../errors";
import { createLog, untrusted } from "../log";
import { CloseCode, decodeRelayFrame, encode, type AgentFrame, type RelayFrame } from "../proto";
import type { Runner } from "../runner/types";
import { DENY_MESSAGES, PendingApprovals } from "./approvals";
import { Heartbeat } from "./heartbeat";
import { Reconnect } from "./reconnect";
import type { AgentConfig } from "./config";
import { machineFacts } from "./facts";
import type { AgentStore } from "./store";
import { insideRoots, type MachineLimits } from "./limits";
import type { ToolPolicy } from "./policy";
import { Outbox, type OutgoingEvent } from "./outbox";
import { relayUrls } from "./relay-url";
import { Inbox } from "./inbox";
import { FileSender } from "./file-send";
import { dataDir } from "../paths";
import { AgentSessions } from "./sessions";
import { answerList } from "./lists";
import { claudeProjectsDir } from "./transcripts";
import { Worktrees, type WorktreeRecord } from "./worktrees";

export type AgentOptions = {
  config: AgentConfig;
  /** Where unacknowledged events and conversations survive a restart; absent = memory only. */
  store?: AgentStore;
  runner: Runner;
  limits: MachineLimits;
  /** The machine's tool policy (deny/allow rules); the roots and plan-mode checks apply without it too. */
  policy?: ToolPolicy;
  env: Record<string, string>;
  clock: Clock;
  random?: () => number;
  heartbeatMs?: number;
  /** --max-sessions and --idle-timeout (defaults in sessions.ts). */
  maxSessions?: number;
  idleTimeoutMs?: number;
};

export type AgentHandle = {
  /** Resolves when the agent stops for good: after stop(), or rejects when the device was revoked. */
  done: Promise<void>;
  stop(): Promise<void>;
};

type Outgoing = Parameters<typeof encode<AgentFrame>>[0];

/** Hello.sessions' cap in the protocol. */
const MAX_HELLO_SESSIONS = 1000;

/** Refused because another agent holds the token: try again after 30–60 s (the owner decides meanwhile). */
const DUPLICATE_RETRY_MS = 30_000;

/**
 * Keeps one outbound WebSocket to the relay alive (reconnecting with backoff), runs prompts with
 * the runner, and delivers every session event exactly once through the outbox.
 */
export function runAgent(options: AgentOptions): AgentHandle {
  const log = createLog("agent");
  const { config, clock } = options;
  const random = options.random ?? Math.random;
  // A ping every 10 s; no frame at all for 25 s means the link is dead (noticed within 30 s).
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const urls = relayUrls(config.relay);
  const outbox = new Outbox(options.store, options.store?.loadOutbox());
  let socket: WebSocket | null = null;
  let ready = false;
  let stopping = false;
  let finish!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (err) => (err ? reject(err) : resolve());
  });

  const send = (frame: Outgoing) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(encode<AgentFrame>(frame));
  };

  const sendEvent = (item: OutgoingEvent) => {
    send({ type: "event", ...item });
    outbox.markSent(item);
  };

  const emit = (sessionId: string, event: Parameters<PendingApprovals["deps"]["emit"]>[1]) => {
    const item = outbox.add(sessionId, event, clock.now());
    if (item && ready) sendEvent(item);
  };
  // Until the relay says otherwise (welcome), wait 11 minutes: a little longer than its default 10.
  const approvals = new PendingApprovals({ emit, timeoutMs: 11 * 60_000, log, clock });
  const worktrees = new Worktrees({
    log,
    saved: options.store?.loadWorktrees() ?? [],
    ...(options.store ? { save: (records: WorktreeRecord[]) => options.store!.saveWorktrees(records) } : {}),
    refuse: (path) => (insideRoots(options.limits, path) ? undefined : `outside the folders this machine allows (${options.limits.roots.join(", ")}); add the repository's top folder on the machine with \`ra agent --root\``),
  });
  const sessions = new AgentSessions({
    machineName: config.name,
    runner: options.runner,
    approvals,
    limits: options.limits,
    ...(options.policy ? { policy: options.policy } : {}),
    env: options.env,
    clock,
    log,
    emit,
    inbox: new Inbox({ relay: urls.base, token: config.token }),
    ...(options.maxSessions ? { maxProcesses: options.maxSessions } : {}),
    ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.store ? { save: (saved: Parameters<AgentStore["saveSessions"]>[0]) => options.store!.saveSessions(saved), answersDir: join(options.store.dir, "answers") } : {}),
    worktrees,
  });
  const files = new FileSender({ relay: urls.base, token: config.token, limits: options.limits, log, answersDir: options.store ? join(options.store.dir, "answers") : join(dataDir(), "agent", "answers"), folderFor: (sessionId, cwd) => worktrees.folderFor(sessionId, cwd) });
  sessions.restore(options.store?.loadSessions() ?? []);
  /** Close codes 4409 (replaced by another connection with our token), to stop a tug of war. */
  const replacedAt: number[] = [];

  const onFrame = (frame: RelayFrame) => {
    switch (frame.type) {
      case "welcome":
        for (const a of frame.acks) outbox.ack(a.sessionId, a.seq);
        if (frame.approvalTimeoutMs) approvals.timeoutMs = frame.approvalTimeoutMs + 60_000;
        ready = true;
        sessions.welcomed();
        reconnect.reset();
        log.success(`connected to ${urls.base} as ${untrusted(frame.name)}${outbox.size ? `; replaying ${outbox.size} unacknowledged events` : ""}`);
        for (const item of outbox.unacked()) sendEvent(item);
        return;
      case "ack":
        outbox.ack(frame.sessionId, frame.seq);
        return;
      case "prompt":
        log.info(`prompt for session ${frame.sessionId} (${frame.text.length} characters)`);
        sessions.prompt(frame);
        return;
      case "stop":
        void sessions.stop(frame.sessionId);
        return;
      case "session.close":
        void sessions.close(frame.sessionId);
        return;
      case "session.mode":
        void sessions.setMode(frame.sessionId, frame.mode);
        return;
      case "approval.answer":
        if (!approvals.answer(frame.sessionId, frame.requestId, frame.decision)) {
          send({ type: "error", code: "unknown_session", message: `approval ${frame.requestId} is not waiting in session ${frame.sessionId}`, ref: frame.requestId });
        }
        return;
      case "ping":
        send({ type: "pong", t: frame.t });
        return;
      case "file.request":
        void files.send(frame);
        return;
      case "list.request":
        void answerList(frame, { limits: options.limits, projectsDir: claudeProjectsDir(options.env) }).then(send);
        return;
      case "pong":
        return;
      case "error":
        log.warn(`relay says ${frame.code}: ${untrusted(frame.message, 1000)}`);
        return;
      default:
        log.warn(`ignoring unexpected ${frame.type} frame`);
    }
  };

  const reconnect = new Reconnect(clock, random, () => connect());
  const connect = () => {
    if (stopping) return;
    const ws = new WebSocket(urls.agent, { headers: { Authorization: `Bearer ${config.token}` } } as unknown as string[]);
    socket = ws;
    let opened = false;
    const heartbeat = new Heartbeat(clock, heartbeatMs, () => send({ type: "ping", t: clock.now() }), () => {
      log.warn("no answer from the relay for a while; reconnecting");
      ws.close(4000, "heartbeat timeout");
    });

    ws.onopen = () => {
      opened = true;
      // The busy ones first: past the protocol's cap the idle rest is left out of this hello.
      const held = sessions.list().sort((a, b) => Number(b.busy) - Number(a.busy)).slice(0, MAX_HELLO_SESSIONS);
      send({ type: "hello", facts: machineFacts(), sessions: held, limits: options.limits });
    };
    ws.onmessage = (e) => {
      heartbeat.heard();
      const decoded = decodeRelayFrame(e.data as string);
      if (!decoded.ok) {
        log.warn(`relay sent a bad frame: ${decoded.message}`);
        return;
      }
      onFrame(decoded.frame);
    };
    ws.onclose = (e) => {
      heartbeat.stop();
      if (socket === ws) {
        socket = null;
        ready = false;
      }
      const denied = approvals.denyAll("denied_disconnected", DENY_MESSAGES.disconnected);
      if (denied) log.warn(`denied ${denied} pending approval${denied === 1 ? "" : "s"}: nobody can answer while the relay is unreachable`);
      if (stopping) return;
      if (e.code === CloseCode.unauthorized) return revoked();
      if (e.code === CloseCode.duplicate) {
        // Another agent holds this token right now. Not fatal: if that one is a thief, the owner
        // revokes the token; if it is a copy of this machine that stops, this one gets in.
        const delay = DUPLICATE_RETRY_MS + Math.round(random() * DUPLICATE_RETRY_MS);
        log.warn(`another ra agent with "${config.name}"'s token is connected to the relay, which keeps that one and told the owner in Telegram; if it is not yours, revoke "${config.name}" there and pair this machine again. Retrying in ${(delay / 1000).toFixed(0)} s`);
        reconnect.after(delay);
        return;
      }
      if (e.code === CloseCode.replaced) {
        replacedAt.push(clock.now());
        while (replacedAt.length && clock.now() - replacedAt[0]! > 5 * 60_000) replacedAt.shift();
        if (replacedAt.length > 3) return fatal(new RaError("token_in_use", `another machine keeps connecting as "${config.name}" with this token`, {
          hint: "a copied config.json runs elsewhere; stop it there, or pair this machine under its own name with `ra pair`",
          exitCode: ExitCode.config,
        }));
      }
      if (!opened) return void checkToken().then((ok) => (ok ? retry(`cannot reach the relay at ${urls.base}`) : revoked()));
      retry(`lost the connection to the relay (${e.code}${e.reason ? ` ${e.reason}` : ""})`);
    };
  };

  const retry = (why: string) => {
    const delay = reconnect.later();
    log.warn(`${why}; retrying in ${(delay / 1000).toFixed(1)} s`);
  };

  /** True unless the relay positively says the token is unknown (401). */
  const checkToken = async () => {
    try {
      const res = await fetch(urls.device, { headers: { Authorization: `Bearer ${config.token}` } });
      return res.status !== 401;
    } catch {
      return true;
    }
  };

  const fatal = (err: RaError) => {
    stopping = true;
    reconnect.cancel();
    void sessions.shutdown().then(() => finish(err));
  };

  const revoked = () => {
    options.store?.saveSessions([]);
    fatal(
      new RaError("revoked", `the relay no longer accepts this machine ("${config.name}"): it was unpaired or revoked`, {
        hint: "pair it again with `ra pair` if you still want to use it",
        exitCode: ExitCode.revoked,
      }),
    );
  };

  connect();

  return {
    done,
    async stop() {
      if (stopping) return done;
      stopping = true;
      reconnect.cancel();
      await sessions.shutdown();
      // Give the last events (the interrupted turns' ends) a moment to reach the relay; the rest stays on disk.
      if (ready) {
        const gave = new AbortController();
        await Promise.race([outbox.drained(), clock.sleep(2000, gave.signal)]);
        gave.abort();
      }
      socket?.close(CloseCode.goingAway, "agent shutting down");
      if (options.store) options.store.compact(outbox.unacked(), outbox.lastSeq());
      finish();
      return done;
    },
  };
}
