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
import { cittyArgs, parseOne, parseOptions } from "../options/define";
import { pairOptions } from "../options/pair";
import { canPrompt, guard } from "./_shared";
import { DESCRIPTIONS } from "./descriptions";

export default defineCommand({
  meta: { name: "pair", description: DESCRIPTIONS.pair },
  args: cittyArgs(pairOptions),
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const options = parseOptions(pairOptions, { args, rawArgs, env: process.env });
      if (options.insecureHttp) allowInsecureHttp();
      const relay = options.relay ?? (await ask("relay", "Relay URL (where `ra serve` runs)", "https://relay.example.com"));
      relayUrls(relay);
      const name = options.name ?? parseOne(pairOptions, "name", await ask("name", "Name for this machine", hostname().split(".")[0] ?? "laptop"));
      const path = options.configPath;
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

async function ask(flag: keyof typeof pairOptions, message: string, placeholder: string): Promise<string> {
  if (!canPrompt()) throw new RaError("usage", `missing --${flag}`, { hint: `pass --${flag} (or ${pairOptions[flag].env}); there is no terminal to ask in`, exitCode: ExitCode.usage });
  const value = await p.text({ message, placeholder, validate: (v) => (v?.trim() ? undefined : "required") });
  if (p.isCancel(value)) throw new RaError("cancelled", "cancelled", { exitCode: ExitCode.interrupted });
  return value.trim();
}
