import { ExitCode, RaError } from "../errors";
import { decodeRelayFrame, encode, type AgentFrame, type MachineFacts } from "../proto";
import type { AgentConfig } from "./config";
import { relayUrls } from "./relay-url";

export type PairCodeInfo = { code: string; expiresAt: number; fingerprint: string; botUsername?: string; link?: string };

/** Eight letters, random per attempt: the owner checks the card in Telegram shows the same. */
export function newFingerprint(): string {
  const letters = "BCDFGHJKLMNPQRSTVWXZ";
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const chars = [...bytes].map((b) => letters[b % 20]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/**
 * Asks the relay for a pairing code, reports it, and waits until the owner redeems it in
 * Telegram (or it expires). Resolves with the config to save.
 */
export function pairWithRelay(relay: string, name: string, facts: MachineFacts, onCode: (info: PairCodeInfo) => void): Promise<AgentConfig> {
  const urls = relayUrls(relay);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(urls.pair);
    let settled = false;
    const fail = (err: RaError) => {
      if (settled) return;
      settled = true;
      reject(err);
      ws.close();
    };
    const fingerprint = newFingerprint();
    ws.onopen = () => ws.send(encode<AgentFrame>({ type: "pair.hello", name, facts, fingerprint }));
    ws.onmessage = (e) => {
      const decoded = decodeRelayFrame(e.data as string);
      if (!decoded.ok) return fail(new RaError("pair_protocol", `the relay answered something unexpected: ${decoded.message}`, { hint: "make sure ra is the same version on both ends" }));
      const frame = decoded.frame;
      if (frame.type === "pair.code") onCode({ code: frame.code, expiresAt: frame.expiresAt, fingerprint, botUsername: frame.botUsername, link: frame.link });
      else if (frame.type === "pair.done") {
        settled = true;
        resolve({ relay: urls.base, deviceId: frame.deviceId, name: frame.name, token: frame.token, pairedAt: new Date().toISOString() });
      } else if (frame.type === "pair.rejected") fail(new RaError("pair_rejected", `pairing did not complete: ${frame.reason}`, { exitCode: ExitCode.failure }));
      else if (frame.type === "error") fail(new RaError("pair_error", `the relay refused: ${frame.message}`));
    };
    ws.onclose = (e) => {
      if (settled) return;
      fail(
        new RaError("relay_unreachable", e.code === 1006 ? `cannot reach the relay at ${urls.base}` : `the relay closed the pairing connection (${e.code} ${e.reason})`, {
          hint: "check the URL and that `ra serve` is running there",
          exitCode: ExitCode.unavailable,
        }),
      );
    };
  });
}
