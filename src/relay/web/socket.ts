import type { WSContext } from "hono/ws";
import type { Clock } from "../../clock";
import { untrusted, type Log } from "../../log";
import { WebCommand, type WebServerMessage } from "../../proto/web";
import type { Core } from "../core";
import { FrameRate } from "../frame-rate";
import type { SignedIn } from "./auth";
import { runCommand } from "./commands";
import type { WebClient, WebSurface } from "./surface";

/** A person types and taps: a few commands a second, with room for a burst. */
const BROWSER_RATE = { frames: { perSecond: 20, burst: 100 }, bytes: { perSecond: 256 << 10, burst: 1 << 20 } };
export const CLOSE_POLICY = 1008;

type Handlers = { onMessage(raw: string | ArrayBuffer): void; onClose(): void };

/** One signed-in browser's socket on /app/ws: the snapshot and live events out, commands in. */
export function browserSocket(deps: { core: Core; surface: WebSurface; clock: Clock; log: Log }, signedIn: SignedIn, ws: WSContext, resume?: { epoch: string; seq: number }): Handlers {
  const { core, surface, log } = deps;
  const rate = new FrameRate(deps.clock, BROWSER_RATE);
  const send = (message: WebServerMessage) => ws.send(JSON.stringify(message));
  const client: WebClient = { user: signedIn.user, sessionId: signedIn.session.id, send, close: (code, reason) => ws.close(code, reason) };
  void surface.attach(client, resume).catch((err) => log.error(`could not send a browser its snapshot: ${(err as Error).message}`));
  // One command at a time, in the order the browser sent them.
  let commands: Promise<void> = Promise.resolve();
  const handle = async (raw: string | ArrayBuffer) => {
    const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
    if (!rate.take(text.length)) {
      surface.detach(client);
      ws.close(CLOSE_POLICY, "too many commands; reload the page");
      return;
    }
    let parsed: ReturnType<typeof WebCommand.safeParse>;
    try {
      parsed = WebCommand.safeParse(JSON.parse(text));
    } catch {
      return send({ type: "result", ref: "", ok: false, message: "not JSON" });
    }
    if (!parsed.success) {
      const ref = (JSON.parse(text) as { ref?: unknown })?.ref;
      return send({ type: "result", ref: typeof ref === "string" ? ref.slice(0, 64) : "", ok: false, message: parsed.error.issues[0]?.message ?? "invalid command" });
    }
    try {
      const result = await runCommand(core, surface, signedIn.user, parsed.data);
      if (result.ok && (parsed.data.type === "revoke" || parsed.data.type === "pair.confirm")) log.info(`${signedIn.user.telegramId} in the web app: ${untrusted(result.message)}`);
      send({ type: "result", ref: parsed.data.ref, ...result });
    } catch (err) {
      log.error(`a web command (${parsed.data.type}) of ${signedIn.user.telegramId} failed: ${untrusted((err as Error).stack ?? String(err), 2000)}`);
      send({ type: "result", ref: parsed.data.ref, ok: false, message: "The relay could not do that; it was logged." });
    }
  };
  return {
    onMessage(raw) {
      commands = commands.then(() => handle(raw));
    },
    onClose() {
      surface.detach(client);
    },
  };
}
