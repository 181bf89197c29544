import { hostname } from "node:os";
import * as p from "@clack/prompts";
import { defineCommand } from "citty";
import { saveAgentConfig } from "../agent/config";
import { machineFacts } from "../agent/facts";
import { pairWithRelay } from "../agent/pair-client";
import { allowInsecureHttp, relayUrls } from "../agent/relay-url";
import { ExitCode, RaError } from "../errors";
import { encodeQr } from "../qr/encode";
import { renderQr } from "../qr/terminal";
import { agentConfigPath } from "../paths";
import { canPrompt, guard, usage } from "./_shared";

export default defineCommand({
  meta: { name: "pair", description: "Pair this machine with your relay: prints a one-time code to send to your bot" },
  args: {
    relay: { type: "string", description: "URL of your relay, e.g. https://relay.example.com (env RA_RELAY)", valueHint: "url" },
    name: { type: "string", description: "Name of this machine in Telegram, e.g. laptop (env RA_NAME)", valueHint: "name" },
    config: { type: "string", description: "Where to save the config (env RA_CONFIG, default ~/.config/ra/config.json)", valueHint: "file" },
    "insecure-http": { type: "boolean", description: "Accept a plain http:// relay URL on a public address (env RA_INSECURE_HTTP=1); the token then travels unencrypted" },
  },
  run: ({ args }) =>
    guard(async () => {
      const env = process.env;
      if (args["insecure-http"]) allowInsecureHttp();
      const relay = (args.relay ?? env.RA_RELAY) || (await ask("relay", "Relay URL (where `ra serve` runs)", "https://relay.example.com"));
      relayUrls(relay);
      const name = (args.name ?? env.RA_NAME) || (await ask("name", "Name for this machine", hostname().split(".")[0] ?? "laptop"));
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(name)) throw usage(`"${name}" is not a usable machine name`, "use up to 32 letters, digits, dots, dashes or underscores");
      const path = args.config ?? env.RA_CONFIG ?? agentConfigPath();
      const facts = machineFacts();
      const config = await pairWithRelay(relay, name, facts, (info) => {
        const minutes = Math.round((info.expiresAt - Date.now()) / 60_000);
        const bot = info.botUsername ? `@${info.botUsername}` : "your bot";
        process.stdout.write(
          [
            "",
            `Send this to ${bot} in Telegram (the code works once, for ${minutes} minutes):`,
            "",
            `    /pair ${info.code}`,
            "",
            ...(info.link ? [`or scan this with your phone's camera (or open ${info.link}):`, "", renderQr(encodeQr(info.link)), ""] : []),
            `Then check that Telegram shows the fingerprint ${info.fingerprint} and tap Pair.`,
            "Waiting…",
            "",
          ].join("\n"),
        );
      });
      saveAgentConfig(path, config, (message) => process.stderr.write(`ℹ ${message}\n`));
      process.stdout.write(`\n✅ Paired as "${config.name}". Config saved to ${path} (mode 0600).\nNext: run \`ra agent\` in the folder Claude should work in.\n`);
    }),
});

async function ask(flag: string, message: string, placeholder: string): Promise<string> {
  if (!canPrompt()) throw new RaError("usage", `missing --${flag}`, { hint: `pass --${flag} (or RA_${flag.toUpperCase()}); there is no terminal to ask in`, exitCode: ExitCode.usage });
  const value = await p.text({ message, placeholder, validate: (v) => (v?.trim() ? undefined : "required") });
  if (p.isCancel(value)) throw new RaError("cancelled", "cancelled", { exitCode: ExitCode.interrupted });
  return value.trim();
}
