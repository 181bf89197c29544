/**
 * What each command does, in one line: shown by `ra --help` without loading any command (so the
 * list costs nothing) and by each command's own --help.
 */
export const DESCRIPTIONS = {
  serve: "Run the relay: the Telegram bot and the hub your machines connect to (on a small server)",
  agent: "Connect this machine to the relay and run prompts from Telegram with Claude Code (after `ra pair`)",
  pair: "Pair this machine with your relay: prints a one-time code to send to your bot",
  status: "Show whether this machine is paired, with which relay, and whether the relay is reachable",
  unpair: "Revoke this machine on the relay and delete its local config",
  service: "Run ra agent (or ra serve) at boot: install, uninstall, start, stop, restart, status, logs",
  doctor: "Check this machine and say exactly what to fix (exit 1 when a check fails); --serve checks the relay's side",
  version: "Print the version, commit and target of this binary",
} as const;

export type CommandName = keyof typeof DESCRIPTIONS;
