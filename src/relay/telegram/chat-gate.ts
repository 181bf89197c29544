/**
 * What a chat's lane holds while it makes one call. `leave` says when the next call to the chat,
 * from whichever relay instance, may be made at the earliest (ms on the clock; the end of the call
 * plus Telegram's gap, or a 429's retry_after deadline), or nothing when no call was made after all.
 */
export type ChatPass = { leave(nextAt?: number): void | Promise<void> };

/**
 * The seam a ChatLane consults around each Bot API call: `enter` settles once this process may
 * call the chat now (nobody else's call to it in flight, the chat's shared "no call before" has
 * passed). It rejects when it cannot tell (the shared store is unreachable): the lane then paces
 * the chat alone until it can. A synchronous answer costs the lane no await at all.
 */
export type ChatGate = { enter(): ChatPass | Promise<ChatPass> };

/** Hands each chat its gate; a Messenger asks once per chat, when it makes the chat's lane. */
export type ChatGates = { gate(chatId: number): ChatGate };

/** A pass that shares nothing: this relay's own pacing alone. */
export const localPass: ChatPass = { leave() {} };

/** One relay is the only sender: its lane alone paces the chat, so this gate adds nothing. */
export const localGate: ChatGate = { enter: () => localPass };

export const localGates: ChatGates = { gate: () => localGate };
