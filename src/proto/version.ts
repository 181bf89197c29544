/**
 * Wire protocol version. Every frame carries `v`. A peer that receives a frame with a
 * different version answers with an `error` frame (code `unsupported_version`) and closes;
 * additive, optional fields do not bump the version, anything else does.
 */
export const PROTOCOL_VERSION = 1 as const;

/** Largest frame either side accepts, in bytes. Larger frames close the connection with 1009. */
export const MAX_FRAME_BYTES = 1 << 20;
