import { z } from "../../proto/zod";

/**
 * What one relay instance passes another through its Redis inbox: a frame for a device the other
 * holds, a probe of that device's link and its answer, a close, a question and its answer. Checked on the way in like any
 * input: Redis is shared, and a bad entry must not stop the inbox.
 */
export const InboxMessage = z.discriminatedUnion("t", [
  z.object({ t: z.literal("frame"), d: z.string(), f: z.record(z.string(), z.unknown()) }),
  z.object({ t: z.literal("probe"), d: z.string(), id: z.string(), r: z.string() }),
  z.object({ t: z.literal("probed"), id: z.string(), alive: z.boolean() }),
  z.object({ t: z.literal("close"), d: z.string(), code: z.number(), reason: z.string() }),
  /** A question for a handler `k` on the instance (pairing a machine that waits there), answered to `r`. */
  z.object({ t: z.literal("ask"), id: z.string(), r: z.string(), k: z.string(), a: z.unknown() }),
  z.object({ t: z.literal("answer"), id: z.string(), v: z.optional(z.unknown()) }),
]);
export type InboxMessage = z.infer<typeof InboxMessage>;

export function decodeInboxMessage(data: string): InboxMessage | undefined {
  try {
    const parsed = InboxMessage.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
