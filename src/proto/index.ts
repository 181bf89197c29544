export * from "./version";
export * from "./common";
export * from "./session-events";
export * from "./agent-frames";
export * from "./relay-frames";
export * from "./close-codes";
export * from "./codec";
export * from "./limits";
