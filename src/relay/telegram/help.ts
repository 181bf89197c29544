import type { BotCommand } from "grammy/types";

/** /help: how the bot works in a few lines, then every command of the menu. */
export function helpText(commands: readonly BotCommand[]): string {
  return [
    "Write a message and the selected machine runs it with Claude Code; the answer streams here, with ⏹ Stop while it runs.",
    "@NAME prompt – run one prompt on machine NAME without changing the selection.",
    "Claude asks before it edits or runs anything: tap Allow or Deny on the card.",
    "With topics on, every machine has its own topic: write in it to talk to that machine.",
    "",
    ...commands.map((c) => `/${c.command} – ${c.description}`),
  ].join("\n");
}
