import type { Clock } from "../../clock";
import type { Device, Session } from "../store/types";
import type { Hub } from "./hub";
import { askerOf, PendingRequests, requestIdFrom } from "./pending-requests";

/** Several relays: passes a file (or a refusal) a machine sent here to the relay that asked for it. */
export type RemoteFiles = {
  instance: string;
  deliver(asker: string, deviceId: string, requestId: string, name: string, bytes: Uint8Array): Promise<void>;
  fail(asker: string, deviceId: string, requestId: string, why: string): void;
};

/** How a surface hands a requested file to the person who asked, or tells them why not. */
export type FileDelivery = {
  /** The machine sent the file. Rejects when it could not be passed on. */
  deliver(name: string, bytes: Uint8Array): Promise<void>;
  /** The machine refused, or did not answer in time: `why` is for the person. */
  fail(why: string): void;
};

/** A machine that has not answered a /get in this long is told off as not answering. */
export const FILE_ANSWER_MS = 60_000;

/**
 * /get and the 📎 buttons: asks a machine for a file of a session's folder and waits for its
 * answer (the upload, or a refusal) over HTTP. Nothing is kept once delivered.
 */
export class FileRequests {
  private readonly pending: PendingRequests<FileDelivery>;

  constructor(private readonly deps: { hub: Hub; clock: Clock; answerMs?: number }) {
    this.pending = new PendingRequests(deps.clock);
  }

  private remote: RemoteFiles | undefined;

  /** The machine uploads to whichever relay the balancer picks: a file for another relay's request goes there. */
  connectRemote(remote: RemoteFiles): void {
    this.remote = remote;
  }

  /** Asks for `path` of the session's folder, or with `diffOf` for the diff the machine kept of that turn. */
  request(session: Session, device: Device, path: string, delivery: FileDelivery, { diffOf }: { diffOf?: string } = {}): "sent" | "offline" {
    const requestId = requestIdFrom(this.remote?.instance);
    const sent = this.deps.hub.send(device.id, { type: "file.request", requestId, sessionId: session.id, path, ...(session.cwd ? { cwd: session.cwd } : {}), ...(diffOf ? { diffOf } : {}) });
    if (!sent) return "offline";
    const waitMs = this.deps.answerMs ?? FILE_ANSWER_MS;
    this.pending.add(requestId, device.id, delivery, waitMs, () =>
      delivery.fail(`${device.name} did not send ${path} within ${Math.round(waitMs / 1000)} s. Check that it is online (/devices) and try again.`));
    return "sent";
  }

  /** The machine's answer to one of its own requests (once; undefined for anything else). */
  take(deviceId: string, requestId: string): FileDelivery | undefined {
    const here = this.pending.take(deviceId, requestId);
    const asker = here ? undefined : askerOf(requestId, this.remote?.instance);
    if (!asker) return here;
    const remote = this.remote!;
    return {
      deliver: (name, bytes) => remote.deliver(asker, deviceId, requestId, name, bytes),
      fail: (why) => remote.fail(asker, deviceId, requestId, why),
    };
  }
}
