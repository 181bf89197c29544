/** The bot's command menu (setMyCommands) and /help, in the order shown. */
export const COMMANDS = [
  { command: "devices", description: "Your machines and which one prompts go to" },
  { command: "use", description: "Send prompts to a machine: /use NAME" },
  { command: "stop", description: "Stop the running turn" },
  { command: "new", description: "Start a fresh conversation (the current one is kept)" },
  { command: "sessions", description: "Your conversations with the machine, to switch" },
  { command: "close", description: "Close this conversation (or #3: /close 3)" },
  { command: "history", description: "The last turns of this conversation; the whole as .md" },
  { command: "status", description: "What is running where" },
  { command: "mode", description: "Show or switch the permission mode" },
  { command: "cd", description: "Pick the folder for the next prompts: /cd, /cd NAME or /cd PATH" },
  { command: "desk", description: "Continue a claude session started on the machine (in a terminal)" },
  { command: "get", description: "Send me a file from the machine: /get PATH" },
  { command: "auto", description: "Let edits/tests run without asking for a while: /auto 30m" },
  { command: "every", description: "Run a prompt at set times: /every weekday 9:00 PROMPT" },
  { command: "at", description: "Run a prompt once later today: /at 18:00 PROMPT" },
  { command: "schedules", description: "Your scheduled prompts, to cancel" },
  { command: "tz", description: "Your time zone for schedules: /tz Europe/Madrid" },
  { command: "pending", description: "Approval cards still waiting for you" },
  { command: "audit", description: "The last 20 approval decisions" },
  { command: "pair", description: "Pair a machine: /pair CODE from `ra pair`" },
  { command: "revoke", description: "Unpair a machine: /revoke NAME" },
  { command: "web", description: "Sign in to the web app; your signed-in browsers" },
  { command: "help", description: "How to use this bot" },
];

/** Owners' commands, listed after the others. */
export const USER_COMMANDS = [
  { command: "invite", description: "Let a second person use this bot (owners)" },
  { command: "users", description: "Who may use this bot (owners)" },
];
