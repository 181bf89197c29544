import type { Clock } from "../../clock";
import type { ListRequest, ListResult } from "../../proto";
import type { Device } from "../store/types";
import type { Hub } from "./hub";
import { askerOf, PendingRequests, requestIdFrom } from "./pending-requests";

/**
 * A machine's list, or why there is none, for the person: `refused` when the machine itself said
 * no (a folder outside its roots, one that vanished); otherwise it was offline or did not answer.
 */
export type ListAnswer = { ok: ListResult } | { error: string; refused?: true };
type Ask = Pick<ListRequest, "kind" | "path" | "query" | "offset" | "limit">;

/** The field of the answer each kind of request is answered in. */
const ANSWERED_IN = { transcripts: "transcripts", folders: "folders", find: "found" } as const;

/** A machine that has not answered a list request in this long is told off as not answering. */
export const LIST_ANSWER_MS = 15_000;

/**
 * Lists only a machine can make (its folders, claude's transcripts there): asks over the agent's
 * socket and waits for its list.result, with a timeout. Nothing is kept once answered.
 */
export class ListRequests {
  private readonly pending: PendingRequests<{ device: Device; kind: Ask["kind"]; resolve: (answer: ListAnswer) => void }>;

  /** Several relays: this one's id (in each request id) and how to pass an answer to the relay that asked. */
  private remote: { instance: string; pass(instance: string, deviceId: string, result: ListResult): void } | undefined;

  constructor(private readonly deps: { hub: Hub; clock: Clock; answerMs?: number }) {
    this.pending = new PendingRequests(deps.clock);
  }

  /** The machine answers on the relay it is connected to: an answer to another relay's request goes there. */
  connectRemote(remote: NonNullable<ListRequests["remote"]>): void {
    this.remote = remote;
  }

  request(device: Device, ask: Ask): Promise<ListAnswer> {
    const requestId = requestIdFrom(this.remote?.instance);
    const sent = this.deps.hub.send(device.id, { type: "list.request", requestId, ...ask });
    if (!sent) return Promise.resolve({ error: `${device.name} is offline. Start \`ra agent\` there (or check /devices) and try again.` });
    const waitMs = this.deps.answerMs ?? LIST_ANSWER_MS;
    return new Promise((resolve) => {
      this.pending.add(requestId, device.id, { device, kind: ask.kind, resolve }, waitMs, () =>
        resolve({ error: `${device.name} did not answer within ${Math.round(waitMs / 1000)} s. Check that it is online (/devices) and runs the same ra version as the relay (\`ra version\`), then try again.` }));
    });
  }

  /** The machine's answer to one of its own requests (once; anything else is ignored). */
  answer(deviceId: string, result: ListResult): boolean {
    const entry = this.pending.take(deviceId, result.requestId);
    if (!entry) return this.passOn(deviceId, result);
    if (result.error !== undefined) entry.resolve({ error: result.error, refused: true });
    else if (result[ANSWERED_IN[entry.kind]] === undefined) entry.resolve({ error: `${entry.device.name} sent an answer this relay does not understand. Run the same ra version on the machine as on the relay (\`ra version\`).` });
    else entry.resolve({ ok: result });
    return true;
  }

  private passOn(deviceId: string, result: ListResult): boolean {
    const asker = askerOf(result.requestId, this.remote?.instance);
    if (!asker) return false;
    this.remote!.pass(asker, deviceId, result);
    return true;
  }
}
