/** Every option of `ra pair`, once. A missing --relay or --name is asked for in a terminal (cmd/pair.ts). */
import { z } from "zod";
import { agentConfigPath } from "../paths";
import { defineOptions, type Values } from "./define";
import { onOff, text } from "./types";

export const pairOptions = defineOptions({
  relay: {
    key: "relay",
    kind: "string",
    env: "RA_RELAY",
    type: text("a URL such as https://relay.example.com"),
    help: "URL of your relay, e.g. https://relay.example.com",
    valueHint: "url",
    example: "https://relay.example.com",
  },
  name: {
    key: "name",
    kind: "string",
    env: "RA_NAME",
    type: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, "takes a name of up to 32 letters, digits, dots, dashes or underscores"),
    help: "Name of this machine in Telegram, e.g. laptop",
    valueHint: "name",
    hint: "for example laptop or pi-4.kitchen",
    example: "laptop",
  },
  config: {
    key: "configPath",
    kind: "string",
    env: "RA_CONFIG",
    type: text("a file"),
    default: (env) => agentConfigPath(env),
    shownDefault: "~/.config/ra/config.json",
    help: "Where to save the config",
    valueHint: "file",
    example: "/home/pi/.config/ra/config.json",
  },
  "insecure-http": {
    key: "insecureHttp",
    kind: "boolean",
    env: "RA_INSECURE_HTTP",
    type: onOff(),
    help: "Accept a plain http:// relay URL on a public address; the token then travels unencrypted",
    example: true,
  },
});

export type PairValues = Values<typeof pairOptions>;
