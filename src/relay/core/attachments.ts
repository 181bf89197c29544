import type { Store, StoredAttachment, Turn } from "../store/types";

/** A turn's attachments (none for turns stored before attachments existed). */
export function attachmentsOf(turn: Turn): StoredAttachment[] {
  return turn.attachments ? (JSON.parse(turn.attachments) as StoredAttachment[]) : [];
}

/**
 * An attachment of a turn that runs on this device now: what its agent may download. Anything
 * else (another device's turn, a finished one, an unknown id) is undefined, alike.
 */
export async function runningAttachment(store: Store, deviceId: string, turnId: string, attachmentId: string): Promise<StoredAttachment | undefined> {
  const turn = await store.turn(turnId);
  if (!turn || turn.status !== "running" || (await store.session(turn.sessionId))?.deviceId !== deviceId) return undefined;
  return attachmentsOf(turn).find((a) => a.id === attachmentId);
}
