import type { Transformer } from "grammy";
import type { MessageEntity } from "grammy/types";
import { maskFormatted } from "../mask-formatted";

/** Methods whose `text` is a message the user reads in the chat (they get the "masked" note). */
const MESSAGE_TEXT = new Set(["sendMessage", "editMessageText", "sendMessageDraft"]);

/**
 * The last stop before the Bot API: every `text` and `caption` of every call is scanned for
 * secrets and masked, whichever code path built it (messages, edits, drafts, toasts, captions).
 */
export const maskOutgoing: Transformer = (prev, method, payload, signal) => {
  const p = payload as Record<string, unknown>;
  if (typeof p.text === "string") {
    const message = MESSAGE_TEXT.has(method);
    const out = maskFormatted({ text: p.text, entities: (p.entities as MessageEntity[] | undefined) ?? [] }, message ? {} : { note: false, limit: 200 });
    if (out.text !== p.text) payload = { ...p, text: out.text, ...(p.entities ? { entities: out.entities } : {}) } as typeof payload;
  }
  if (typeof p.caption === "string") {
    const out = maskFormatted({ text: p.caption, entities: (p.caption_entities as MessageEntity[] | undefined) ?? [] }, { limit: 1024 });
    if (out.text !== p.caption) payload = { ...(payload as object), caption: out.text, ...(p.caption_entities ? { caption_entities: out.entities } : {}) } as typeof payload;
  }
  return prev(method, payload, signal);
};
