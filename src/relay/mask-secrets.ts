/**
 * Masks what looks like a credential before text reaches Telegram (chat history is stored on
 * Telegram's servers and on every device of the owner). Keeps enough to recognise what it was.
 * The scanner itself lives in src/secret-scan.ts (the agent and the logs use it too).
 */
export { maskSecrets, secretRanges, type SecretRange } from "../secret-scan";

export const MASKED_NOTE = "🔒 Something that looked like a secret was masked.";
