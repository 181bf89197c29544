/** Options every command that acts as this machine shares (ra agent, ra pair). */
import { agentConfigPath } from "../paths";
import type { Env } from "./define";
import { onOff, text } from "./types";

/** The machine's config file (relay URL, device token): `help` says what the command does with it. */
export const configFile = {
  key: "configPath",
  kind: "string",
  env: "RA_CONFIG",
  type: text("a file"),
  default: (env: Env) => agentConfigPath(env),
  shownDefault: "~/.config/ra/config.json",
  valueHint: "file",
  example: "/home/pi/.config/ra/config.json",
} as const;

export const insecureHttp = {
  key: "insecureHttp",
  kind: "boolean",
  env: "RA_INSECURE_HTTP",
  type: onOff(),
  help: "Accept a plain http:// relay URL on a public address; the token then travels unencrypted",
  example: true,
} as const;
