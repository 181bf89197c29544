/** Application WebSocket close codes (4000–4999 are ours). */
export const CloseCode = {
  /** Normal shutdown of the relay or agent; reconnect later. */
  goingAway: 1001,
  /** A frame broke the protocol; the peer should not retry the same frame. */
  protocolError: 1002,
  /** The peer broke a rule of the relay (too many frames, a second pair.hello). */
  policy: 1008,
  tooBig: 1009,
  /** Token unknown or revoked: final, the agent must not retry. */
  unauthorized: 4401,
  /** Another live connection holds this device's token: this one was refused (the owner was told). */
  duplicate: 4408,
  /** Another connection for the same device replaced this one. */
  replaced: 4409,
  /** Pairing ended (code expired, rejected, or done). */
  pairingOver: 4410,
} as const;
