/**
 * Command chaining, pipes, substitution, redirection, background jobs and line continuations:
 * a command using any of these is never blanket-allowed.
 */
const COMPOUND = /[;&|`<>\n\r]|\$\(/;
/** A first word that is plain (no quotes, variables, globs, escapes, or VAR=value prefixes). */
const PLAIN_FIRST = /^[\w./@+-]+$/;
const PLAIN_SECOND = /^[\w./@:+=,-]+$/;
/** Commands that run whatever follows them: "sudo" or "bash" alone would allow anything. */
const WRAPPERS = new Set([
  "sh", "bash", "zsh", "dash", "ksh", "fish", "eval", "exec", "source", ".", "sudo", "doas", "su", "env", "xargs",
  "nohup", "time", "command", "builtin", "nice", "timeout", "watch", "ssh", "find",
]);

export function bashPrefix(command: string): string {
  if (typeof command !== "string") return "";
  const trimmed = command.trim();
  if (!trimmed || COMPOUND.test(trimmed)) return "";
  const [first = "", second] = trimmed.split(/[ \t]+/);
  if (!PLAIN_FIRST.test(first)) return "";
  if (second !== undefined && !second.startsWith("-") && PLAIN_SECOND.test(second)) return `${first} ${second}`;
  return WRAPPERS.has(first) ? "" : first;
}
