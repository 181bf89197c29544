import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { ExitCode, RaError } from "../errors";
import { configureLogging, createLog } from "../log";
import { cittyArgs, parseOptions } from "../options/define";
import { isBotToken, serveOptions } from "../options/serve";
import { startRelay } from "../relay";
import { checkServeOptions, relayConfig } from "../relay/config";
import { canPrompt, guard, untilSignal } from "./_shared";
import { DESCRIPTIONS } from "./descriptions";

export default defineCommand({
  meta: { name: "serve", description: DESCRIPTIONS.serve },
  args: cittyArgs(serveOptions),
  run: ({ args, rawArgs }) =>
    guard(async () => {
      const options = parseOptions(serveOptions, { args, rawArgs, env: process.env });
      configureLogging(options.logLevel, options.logFormat);
      const log = createLog("serve");
      checkServeOptions(options);
      const config = relayConfig(options, await resolveBotToken(options.botToken, options.dataDir));
      const relay = await startRelay(config);
      if (relay.setupCode) {
        process.stdout.write(
          `\nThis relay has no owner yet. In Telegram, send this to your bot within 60 minutes:\n\n    /start ${relay.setupCode.code}\n\n(also saved in ${relay.setupCode.file}; it works once)\n\n`,
        );
      }
      if (relay.webLoginCode === "no_owner") {
        log.warn("--web-login-code: this relay has no owner yet, so there is nobody to sign in; claim it with /start in Telegram first (or pass --owner ID)");
      } else if (relay.webLoginCode) {
        const minutes = Math.round((relay.webLoginCode.expiresAt - Date.now()) / 60_000);
        process.stdout.write(`\nWeb app: open ${config.publicUrl ?? relay.url}/ and type this code (works once, for ${minutes} minutes) to sign in as ${relay.webLoginCode.name || "the owner"}:\n\n    ${relay.webLoginCode.code}\n\n`);
      }
      log.info(`agents connect to ${config.publicUrl ?? relay.url}`);
      const outcome = await Promise.race([untilSignal(), relay.fatal]);
      log.info(`${outcome}: shutting down`);
      await relay.stop();
    }),
});

/** Flag or env first; then the token saved by an earlier interactive start; then ask (TTY only). */
async function resolveBotToken(given: string | undefined, dataDir: string): Promise<string> {
  if (given) return given;
  const saved = join(dataDir, "bot-token");
  if (existsSync(saved)) {
    const token = readFileSync(saved, "utf8").trim();
    if (!isBotToken(token)) throw new RaError("bot_token_invalid", `${saved} does not hold a Telegram bot token`, { hint: `delete it and start ra serve again, or pass --bot-token`, exitCode: ExitCode.config });
    return token;
  }
  if (!canPrompt()) {
    throw new RaError("bot_token_missing", "no Telegram bot token given", {
      hint: "pass --bot-token 123456:ABC… or set RA_BOT_TOKEN (create a bot with @BotFather)",
      exitCode: ExitCode.config,
    });
  }
  const p = await import("@clack/prompts"); // only a first start at a terminal asks
  p.intro("ra serve — first start");
  const token = await p.password({
    message: "Telegram bot token (from @BotFather)",
    validate: (v) => (isBotToken(v ?? "") ? undefined : "a token looks like 123456789:AA…"),
  });
  if (p.isCancel(token)) throw new RaError("cancelled", "cancelled", { exitCode: ExitCode.interrupted });
  const save = await p.confirm({ message: `Save it (mode 0600) in ${saved} for next time?` });
  if (save === true) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(saved, `${token}\n`, { mode: 0o600 });
    p.outro(`Saved. Next time just run: ra serve`);
  }
  return token;
}
