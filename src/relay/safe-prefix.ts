import { isSpace, privateKeyBlocks, scanSecrets } from "../secret-scan";

/**
 * What of a still-growing answer may be shown now. Whether something is masked can depend on text
 * that has not arrived (`sk-ant-api03-AB` is too short to be a key until the rest comes, a URL's
 * password is one only once its `@` arrives), so the text from the start of the word where such
 * an undecided secret would begin is held back until more text decides it or the turn ends (then
 * everything is shown, masked). A private key block is held from its BEGIN until its END arrives.
 * Everything before the cut is masked exactly as it will be in the final answer (no pattern spans
 * whitespace, except key blocks, which are held whole). `shown + held === text`.
 */
export function safePrefix(text: string): { shown: string; held: string } {
  let hold = scanSecrets(text).undecidedFrom;
  const open = privateKeyBlocks(text, true).find((b) => b.open);
  if (open) hold = Math.min(hold, open.start);
  if (hold >= text.length) return { shown: text, held: "" };
  let cut = hold;
  while (cut > 0 && !isSpace(text.charCodeAt(cut - 1))) cut--;
  return { shown: text.slice(0, cut), held: text.slice(cut) };
}
