import type { RedisClient } from "bun";
import type { Log } from "../../log";
import { z } from "../../proto/zod";
import type { FileRequests } from "../core/files";
import type { RedisDevices } from "./devices";

const Deliver = z.object({ deviceId: z.string(), requestId: z.string(), name: z.string() });
const Fail = z.object({ deviceId: z.string(), requestId: z.string(), why: z.string() });
type Delivered = { ok: true } | { error: string };

/** How long the bytes wait in Redis for the relay that asked (it takes them at once). */
const KEEP_MS = 120_000;
/** Passing a file on to Telegram may take a while on a slow link. */
const DELIVER_WITHIN_MS = 60_000;
const fileKey = (requestId: string) => `ra:file:${requestId}`;

/**
 * Files across relays: a machine uploads the file someone asked for (/get) to whichever relay the
 * load balancer picks. When another relay asked, the bytes wait in Redis (`ra:file:<request id>`,
 * expiring by themselves) and that relay is asked through its inbox to take them and deliver them;
 * a refusal is passed on the same way.
 */
export function shareFiles(o: { redis: RedisClient; devices: Pick<RedisDevices, "id" | "ask" | "answer">; files: FileRequests; log: Log }): void {
  const { redis, devices, files, log } = o;
  files.connectRemote({
    instance: devices.id,
    async deliver(asker, deviceId, requestId, name, bytes) {
      await redis.set(fileKey(requestId), bytes, "PX", KEEP_MS);
      const answer = (await devices.ask(asker, "file.deliver", { deviceId, requestId, name }, DELIVER_WITHIN_MS)) as Delivered | undefined;
      if (!answer) throw new Error("the relay that asked for it did not answer in time");
      if ("error" in answer) throw new Error(answer.error);
    },
    fail(asker, deviceId, requestId, why) {
      void devices.ask(asker, "file.fail", { deviceId, requestId, why });
    },
  });
  devices.answer("file.deliver", async (args): Promise<Delivered> => {
    const { deviceId, requestId, name } = Deliver.parse(args);
    const bytes = await redis.getBuffer(fileKey(requestId));
    void redis.del(fileKey(requestId)).catch(() => {});
    const delivery = files.take(deviceId, requestId);
    if (!delivery) return { error: "no file request of this machine is waiting here (answered already, or it timed out)" };
    if (!bytes) {
      delivery.fail(`${name} came from the machine but was lost between relays; try again.`);
      return { error: "the file was not in Redis any more" };
    }
    try {
      await delivery.deliver(name, bytes);
      return { ok: true };
    } catch (err) {
      log.warn(`could not pass on a file another relay received: ${(err as Error).message}`);
      delivery.fail(`${name} came from the machine but could not be sent to you: ${(err as Error).message}`);
      return { error: (err as Error).message };
    }
  });
  devices.answer("file.fail", (args) => {
    const { deviceId, requestId, why } = Fail.parse(args);
    files.take(deviceId, requestId)?.fail(why);
  });
}
