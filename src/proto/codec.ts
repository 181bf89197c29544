import type { z } from "./zod";
import { AgentFrame } from "./agent-frames";
import { RelayFrame } from "./relay-frames";
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from "./version";

export type Decoded<T> = { ok: true; frame: T } | { ok: false; code: "bad_frame" | "unsupported_version"; message: string };

type Distribute<T> = T extends unknown ? Omit<T, "v"> : never;

/** Adds the protocol version and serialises. */
export function encode<T extends { type: string }>(frame: Distribute<T>): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...frame });
}

function decodeWith<S extends z.ZodMiniType>(schema: S, raw: string | ArrayBuffer | Uint8Array): Decoded<z.infer<S>> {
  const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
  if (text.length > MAX_FRAME_BYTES) return { ok: false, code: "bad_frame", message: "frame larger than 1 MiB" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_frame", message: "frame is not JSON" };
  }
  if (value && typeof value === "object" && "v" in value && value.v !== PROTOCOL_VERSION) {
    return { ok: false, code: "unsupported_version", message: `protocol version ${String(value.v)} is not supported (this side speaks ${PROTOCOL_VERSION}); update ra on both ends` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    return { ok: false, code: "bad_frame", message: `invalid frame${where}: ${issue?.message ?? "unknown"}` };
  }
  return { ok: true, frame: parsed.data };
}

export const decodeAgentFrame = (raw: string | ArrayBuffer | Uint8Array) => decodeWith(AgentFrame, raw);
export const decodeRelayFrame = (raw: string | ArrayBuffer | Uint8Array) => decodeWith(RelayFrame, raw);
