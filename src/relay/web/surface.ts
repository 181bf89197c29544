import type { WebEventBody, WebServerMessage } from "../../proto/web";
import type { Core } from "../core";
import type { CoreEvent } from "../core/events";
import { maskSecrets } from "../mask-secrets";
import type { Device, Turn, User } from "../store/types";
import { StreamMasks } from "./stream-mask";
import { UserStreams } from "./streams";
import { WebViews } from "./views";

/** One open browser socket of a signed-in person. */
export type WebClient = {
  user: User;
  /** The web session (cookie) it was opened with: revoking that session closes it. */
  sessionId: string;
  send(message: WebServerMessage): void;
  close(code: number, reason: string): void;
};

/** Characters of a tool's output the browser gets (as much as Telegram shows). */
const TOOL_OUTPUT_SHOWN = 600;
/** Close code for a browser whose session was revoked or signed out (the app shows the login page). */
export const SIGNED_OUT = 4001;

/**
 * The web app as a surface of the core: every domain event on the bus becomes events for the
 * browsers of the people it concerns, each person's numbered in one sequence. Turns belong to
 * the private chat they were asked in (chat id = user id), so Telegram and the web show the same
 * conversations; machines go to everyone who may see them.
 */
export class WebSurface {
  readonly views: WebViews;
  private readonly masks: StreamMasks;
  private clients = new Set<WebClient>();
  private streams = new UserStreams();
  /** Events and browsers joining are handled one at a time: a snapshot never misses or repeats an event. */
  private work: Promise<unknown> = Promise.resolve();

  constructor(private readonly core: Core) {
    this.masks = new StreamMasks((turnId) => core.store.turnText(turnId));
    this.views = new WebViews(core, this.masks);
  }

  /**
   * A browser connected: it gets the snapshot, then every event after it. One that reconnects
   * with the last seq it saw gets only what it missed, when this process still holds all of it.
   */
  attach(client: WebClient, resume?: { epoch: string; seq: number }): Promise<void> {
    return this.serial(async () => {
      this.streams.join(client.user);
      const id = client.user.telegramId;
      const missed = resume && this.streams.since(id, resume.epoch, resume.seq);
      if (!missed) {
        const snapshot = await this.views.snapshot(client.user, this.streams.epoch, this.streams.seq(id));
        this.clients.add(client);
        return client.send(snapshot);
      }
      this.clients.add(client);
      client.send({ type: "resume", epoch: this.streams.epoch, seq: resume.seq });
      for (const message of missed) client.send(message);
    });
  }

  /** Resolves once every event and browser queued so far is handled. */
  async settled(): Promise<void> {
    await this.work;
  }

  /** Runs `fn` after everything queued before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.work.then(fn);
    this.work = run.catch(() => {});
    return run;
  }

  detach(client: WebClient): void {
    this.clients.delete(client);
  }

  /** Closes the sockets of these web sessions at once (revoked, signed out). */
  async closeSessions(sessionIds: string[]): Promise<void> {
    const ids = new Set(sessionIds);
    for (const client of [...this.clients]) {
      if (!ids.has(client.sessionId)) continue;
      this.clients.delete(client);
      client.close(SIGNED_OUT, "signed out");
      // A removed person's events are no longer numbered (their snapshot starts afresh if they return).
      if (!(await this.core.store.user(client.user.telegramId))) this.streams.drop(client.user.telegramId);
    }
  }

  closeAll(code: number, reason: string): void {
    for (const client of this.clients) client.close(code, reason);
    this.clients.clear();
  }

  /** Sends to every browser of this chat's person (a private chat's id is its person's id). */
  toChat(chatId: number, body: WebEventBody): void {
    this.emit((u) => u.telegramId === chatId, () => body);
  }

  readonly handle = (event: CoreEvent): Promise<void> => this.serial(() => this.process(event));

  private async process(event: CoreEvent): Promise<void> {
    switch (event.type) {
      case "turn.created":
        if (!this.streams.has(event.turn.chatId)) return; // nobody of this chat has a browser stream: no view to build
        return this.toChat(event.turn.chatId, { type: "turn", turn: await this.views.turn(event.turn, event.device.id, event.waiting ? { waiting: event.waiting } : {}) });
      case "turn.started":
      case "turn.resumed":
        return this.turnChanged({ ...event.turn, status: "running" }, {}, event.type === "turn.started");
      case "turn.output":
        return this.output(event.turn, event.output, event.offset);
      case "turn.ended": {
        const rest = this.masks.end(event.turn.id);
        if (rest) this.toChat(event.turn.chatId, { type: "text", turnId: event.turn.id, text: rest, tail: "" });
        const { end } = event;
        return this.turnChanged({ ...event.turn, status: event.status, endedAt: this.core.clock.now() }, {
          ...(end.durationMs !== undefined ? { durationMs: end.durationMs } : {}),
          ...(end.costUsd !== undefined ? { costUsd: end.costUsd } : {}),
          ...(end.error ? { error: maskSecrets(end.error).text } : {}),
        });
      }
      case "session.notice":
        return this.toChat(event.session.chatId, { type: "notice", level: event.level, text: maskSecrets(event.text).text, deviceId: event.session.deviceId });
      case "approval.opened":
        return this.toChat(event.approval.chatId, { type: "approval", approval: this.views.approval(event.approval) });
      case "approval.closed":
        return this.toChat(event.approval.chatId, { type: "approval.closed", approvalId: event.approval.id, line: event.line });
      case "device.lost":
      case "device.back":
      case "device.online":
      case "device.offline":
        return this.showDevice(event.device.id);
      case "device.revoked":
        return this.emit((u) => this.views.sees(u, event.device), () => ({ type: "device.removed", deviceId: event.device.id }));
      default:
        return;
    }
  }

  /** A machine's state may have changed: everyone who sees it gets it as they see it. */
  deviceChanged(deviceId: string): Promise<void> {
    return this.serial(() => this.showDevice(deviceId));
  }

  private async showDevice(deviceId: string): Promise<void> {
    if (this.streams.size === 0) return; // no browser since the relay started: nobody to show it to (a storm of reconnects asks nothing)
    const device = await this.core.store.device(deviceId);
    if (!device) return;
    const views = new Map<number, WebEventBody>();
    for (const user of this.streams.users()) if (this.views.sees(user, device)) views.set(user.telegramId, { type: "device", device: await this.views.device(device, user) });
    this.emit((u) => views.has(u.telegramId), (u) => views.get(u.telegramId)!);
  }

  private async turnChanged(turn: Turn, extra: Parameters<WebViews["turn"]>[2] = {}, fresh = false): Promise<void> {
    if (this.streams.size === 0) return; // no browser since the relay started (as in showDevice)
    const device = await this.deviceOf(turn);
    if (!device) return;
    if (this.streams.has(turn.chatId)) this.toChat(turn.chatId, { type: "turn", turn: await this.views.turn(turn, device.id, extra, fresh) });
    await this.showDevice(device.id);
  }

  private async output(turn: Turn, output: Extract<CoreEvent, { type: "turn.output" }>["output"], offset?: number): Promise<void> {
    switch (output.kind) {
      case "text": {
        // Masking for browsers costs a rescan of the line per piece: none when nobody of this chat
        // has a browser stream (one that connects later starts from the stored answer).
        if (!this.streams.has(turn.chatId)) return;
        const piece = await this.masks.piece(turn.id, output.text, offset);
        if (piece) this.toChat(turn.chatId, { type: "text", turnId: turn.id, ...piece });
        return;
      }
      case "tool": {
        const { toolUseId: id, name, added, removed } = output;
        const tool = { id, name, summary: maskSecrets(output.summary).text, ...(added !== undefined ? { added } : {}), ...(removed !== undefined ? { removed } : {}) };
        return this.toChat(turn.chatId, { type: "tool", turnId: turn.id, tool });
      }
      case "tool.result":
        return this.toChat(turn.chatId, { type: "tool.result", turnId: turn.id, toolId: output.toolUseId, output: maskSecrets(output.output.slice(0, TOOL_OUTPUT_SHOWN)).text, isError: output.isError });
      default:
        return;
    }
  }

  private async deviceOf(turn: Turn): Promise<Device | undefined> {
    const session = await this.core.store.session(turn.sessionId);
    return session && this.core.store.device(session.deviceId);
  }

  /** Numbers the event in each recipient's stream (connected or not) and sends it to their open browsers. */
  private emit(to: (user: User) => boolean, body: (user: User) => WebEventBody): void {
    for (const user of this.streams.users()) {
      if (!to(user)) continue;
      const message = this.streams.number(user.telegramId, body(user));
      for (const client of this.clients) if (client.user.telegramId === user.telegramId) client.send(message);
    }
  }

}
