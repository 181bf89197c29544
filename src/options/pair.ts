/** Every option of `ra pair`, once. A missing --relay or --name is asked for in a terminal (cmd/pair.ts). */
import { z } from "../proto/zod";
import { defineOptions, type Values } from "./define";
import { configFile, insecureHttp } from "./machine";
import { text } from "./types";

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
    type: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, "takes a name of up to 32 letters, digits, dots, dashes or underscores")),
    help: "Name of this machine in Telegram, e.g. laptop",
    valueHint: "name",
    hint: "for example laptop or pi-4.kitchen",
    example: "laptop",
  },
  config: { ...configFile, help: "Where to save the config" },
  "insecure-http": insecureHttp,
});

export type PairValues = Values<typeof pairOptions>;
