import type { WSContext } from "hono/ws";
import type { SocketFrame, SocketHandlers, SocketLink } from "./agent-upgrade";
import type { Clock } from "../clock";
import { untrusted, type Log } from "../log";
import { CloseCode, decodeAgentFrame, encode, type AgentFrame, type RelayFrame } from "../proto";
import type { Core } from "./core";
import type { AgentLink } from "./core/hub";
import type { Device, Store } from "./store/types";
import { FrameRate } from "./frame-rate";
import type { FrameQueue } from "./frame-queue";
import { shortId } from "./secrets";

export type SocketDeps = {
  core: Core;
  clock: Clock;
  log: Log;
  botUsername: () => string | undefined;
  /** Where every agent connection's frames wait their turn (one queue for all: see FrameQueue). */
  frames: FrameQueue;
};

/** Too many bad frames in a row means a broken or hostile peer: close it, nobody else is affected. */
const MAX_BAD_FRAMES = 20;
/** Frames kept while a new connection waits for the hub's decision (a hello and a replay burst fit). */
const MAX_EARLY_FRAMES = 5000;

/**
 * A link whose frames leave only once what the relay wrote before them is durable: an ack, a
 * welcome's acks, a prompt, a device token all describe stored rows. When that commit fails the
 * frames are dropped and the connection closed: the agent reconnects and replays what was not acknowledged.
 */
export function durableLink(ws: SocketLink, ip: string, store: Store): AgentLink {
  const lost = () => ws.close(CloseCode.goingAway, "the relay could not store what you sent; reconnect and send it again");
  return {
    id: shortId(6),
    ip,
    send: (frame) => {
      const raw = encode<RelayFrame>(frame);
      store.afterCommit(() => ws.send(raw), lost);
    },
    close: (code, reason) => store.afterCommit(() => ws.close(code, reason), lost),
  };
}

type Handlers = SocketHandlers;

/** A paired device's connection on /ws/agent (already authenticated by its token). */
export function agentSocket(deps: SocketDeps, device: Device, ws: SocketLink, ip: string): Handlers {
  const { clock, log } = deps;
  const { hub, store: repo, machines } = deps.core;
  const link = durableLink(ws, ip, repo);
  let badFrames = 0;
  let flooded = false;
  const rate = new FrameRate(clock);
  // Frames that arrive while the hub decides whether this connection may take the device's place.
  let state: "claiming" | "attached" | "refused" | "closed" = "claiming";
  const early: SocketFrame[] = [];
  // What follows the hub's decision waits its turn with the frames (a storm brings thousands at once).
  void hub.claim(device.id, link).then((claim) => deps.frames.push(() => claimed(claim)));
  const claimed = async (claim: Awaited<ReturnType<typeof hub.claim>>) => {
    if (claim.outcome === "refused") {
      if (state === "claiming") link.close(CloseCode.duplicate, "another ra agent with this device's token is connected");
      state = "refused";
      log.warn(`refused a second connection with ${untrusted(device.name)}'s token from ${ip}: the one from ${claim.kept.ip} is alive`);
      machines.duplicate(device, ip, claim.kept.ip);
      return;
    }
    if (state === "closed") {
      // It hung up while the hub made up its mind: it never was the device's connection.
      if (hub.detach(link)) await machines.disconnected(device);
      return;
    }
    state = "attached"; // last seen is written with the machine's facts when its hello arrives: one write, not two
    log.info(`${untrusted(device.name)} connected from ${ip}${claim.replaced ? ` (its connection from ${claim.replaced.ip} did not answer and was replaced)` : ""}`);
    for (const raw of early.splice(0)) handlers.onMessage(raw);
  };

  const handle = async (frame: AgentFrame) => {
    switch (frame.type) {
      case "hello": {
        await repo.touchDevice(device.id, clock.now(), {
          hostname: frame.facts.hostname,
          os: frame.facts.os,
          arch: frame.facts.arch,
          osUser: frame.facts.user,
          agentVersion: frame.facts.agentVersion,
        });
        const acks = await machines.connected(device, frame);
        link.send({ type: "welcome", deviceId: device.id, name: device.name, serverTime: clock.now(), acks, approvalTimeoutMs: deps.core.approvalTimeoutMs });
        await machines.ready(device, frame);
        return;
      }
      case "event": {
        const result = await machines.event(device.id, frame);
        if ("ack" in result) link.send({ type: "ack", sessionId: frame.sessionId, seq: result.ack });
        else link.send({ type: "error", code: "unknown_session", message: result.error, ref: frame.sessionId });
        return;
      }
      case "ping":
        link.send({ type: "pong", t: frame.t });
        return;
      case "pong":
        hub.pong(link);
        return;
      case "error":
        log.warn(`${untrusted(device.name)} reported ${frame.code}: ${untrusted(frame.message, 1000)}`);
        return;
      case "list.result":
        if (!deps.core.lists.answer(device.id, frame)) log.info(`${untrusted(device.name)} answered list request ${frame.requestId}, which nobody waits for (any more)`);
        return;
      case "pair.hello":
        link.send({ type: "error", code: "bad_frame", message: "this machine is already paired; pairing frames go to /ws/pair" });
        return;
    }
  };

  const handlers: Handlers = {
    onMessage(raw) {
      if (state === "claiming") {
        if (early.length < MAX_EARLY_FRAMES) early.push(raw);
        else link.close(CloseCode.policy, "too many frames before the connection was accepted");
        return;
      }
      if (state !== "attached" || flooded) return;
      if (!rate.take(typeof raw === "string" ? raw.length : raw.byteLength)) {
        // Closed after the frames that came before (they are answered), and nothing after it is read.
        flooded = true;
        deps.frames.push(() => {
          log.warn(`${untrusted(device.name)} sent frames faster than the limit; closing its connection`);
          link.send({ type: "error", code: "rate_limited", message: "too many frames; reconnect and slow down" });
          link.close(CloseCode.policy, "too many frames");
        });
        return;
      }
      deps.frames.push(() => receive(raw));
    },
    onClose() {
      const was = state;
      state = "closed";
      if (was !== "attached") return; // never the device's connection (a closing current one is detached below)
      // After the frames that came before it.
      deps.frames.push(async () => {
        if (!hub.detach(link)) return;
        await repo.touchDevice(device.id, clock.now());
        await machines.disconnected(device);
        log.info(`${untrusted(device.name)} disconnected`);
      });
    },
  };
  const receive = async (raw: SocketFrame) => {
    const decoded = decodeAgentFrame(raw);
    if (!decoded.ok) {
      log.warn(`${untrusted(device.name)} sent a bad frame: ${untrusted(decoded.message, 1000)}`);
      link.send({ type: "error", code: decoded.code, message: decoded.message });
      if (++badFrames >= MAX_BAD_FRAMES) link.close(CloseCode.protocolError, "too many invalid frames");
      return;
    }
    badFrames = 0;
    try {
      await handle(decoded.frame);
    } catch (err) {
      log.error(`handling a frame from ${untrusted(device.name)} failed: ${(err as Error).stack ?? err}`);
      link.send({ type: "error", code: "internal", message: "the relay could not handle this frame; it was logged" });
    }
  };
  return handlers;
}

/** An unpaired machine on /ws/pair asking for a code. */
export function pairSocket(deps: SocketDeps, ws: WSContext, ip: string): Handlers {
  const { log } = deps;
  const { pairing, store } = deps.core;
  const link = durableLink(ws, ip, store);
  let greeted = false;
  return {
    onMessage(raw) {
      // One pair.hello per connection: a second would mint codes in a loop.
      if (greeted) {
        link.send({ type: "error", code: "bad_frame", message: "one pair.hello per connection; wait for the code" });
        link.close(CloseCode.policy, "one pair.hello per connection");
        return;
      }
      greeted = true;
      const decoded = decodeAgentFrame(raw);
      if (!decoded.ok || decoded.frame.type !== "pair.hello") {
        link.send({ type: "error", code: decoded.ok ? "bad_frame" : decoded.code, message: decoded.ok ? "expected pair.hello" : decoded.message });
        link.close(CloseCode.protocolError, "bad pairing frame");
        return;
      }
      const fingerprint = decoded.frame.fingerprint ?? "????-????";
      const opened = pairing.open(link, decoded.frame.name, decoded.frame.facts, fingerprint);
      if ("error" in opened) {
        link.send({ type: "pair.rejected", reason: opened.error });
        link.close(CloseCode.pairingOver, "busy");
        return;
      }
      const bot = deps.botUsername();
      log.info(`machine ${untrusted(decoded.frame.name)} (${untrusted(decoded.frame.facts.hostname)}) is waiting to pair from ${ip}`);
      link.send({ type: "pair.code", code: opened.code, expiresAt: opened.expiresAt, ...(bot ? { botUsername: bot, link: `https://t.me/${bot}?start=pair_${opened.secret}` } : {}) });
    },
    onClose() {
      pairing.close(link);
    },
  };
}
