import { isSpace, privateKeyBlocks } from "../secret-scan";

/**
 * What of a still-growing answer may be shown now. Whether a secret is masked can depend on what
 * comes after it (`sk-ant-api03-AB` is too short to be a key until the rest arrives), so the tail
 * that could still turn out to be part of one is held back until more text decides it or the turn
 * ends (then everything is shown, masked):
 * - the unfinished last word: every pattern the masker knows is one word (no whitespace inside),
 *   so text up to the last whitespace is masked exactly as it will be in the final answer;
 * - a private key block whose END has not arrived (or whose BEGIN line is still arriving).
 * `shown + held === text`.
 */
export function safePrefix(text: string): { shown: string; held: string } {
  let cut = text.length;
  while (cut > 0 && !isSpace(text.charCodeAt(cut - 1))) cut--;
  const open = privateKeyBlocks(text, true).find((b) => b.open);
  if (open && open.start < cut) cut = open.start;
  return { shown: text.slice(0, cut), held: text.slice(cut) };
}
