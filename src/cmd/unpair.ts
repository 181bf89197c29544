import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import { deleteAgentConfig, loadAgentConfig } from "../agent/config";
import { allowInsecureHttp, relayUrls } from "../agent/relay-url";
import { ExitCode, RaError } from "../errors";
import { agentConfigPath } from "../paths";
import { guard } from "./_shared";
import { DESCRIPTIONS } from "./descriptions";

export default defineCommand({
  meta: { name: "unpair", description: DESCRIPTIONS.unpair },
  args: {
    config: { type: "string", description: "Config file (env RA_CONFIG, default ~/.config/ra/config.json)", valueHint: "file" },
    force: { type: "boolean", description: "Delete the local config even if the relay cannot be reached" },
    "insecure-http": { type: "boolean", description: "Accept a plain http:// relay URL on a public address (env RA_INSECURE_HTTP=1); the token then travels unencrypted" },
  },
  run: ({ args }) =>
    guard(async () => {
      if (args["insecure-http"]) allowInsecureHttp();
      const path = args.config ?? process.env.RA_CONFIG ?? agentConfigPath();
      if (!existsSync(path)) {
        process.stdout.write(`Nothing to do: this machine is not paired (no ${path}).\n`);
        return;
      }
      const config = loadAgentConfig(path);
      try {
        const res = await fetch(relayUrls(config.relay).device, { method: "DELETE", headers: { Authorization: `Bearer ${config.token}` }, signal: AbortSignal.timeout(10_000) });
        if (!res.ok && res.status !== 401) throw new Error(`the relay answered ${res.status}`);
      } catch (cause) {
        if (!args.force) {
          throw new RaError("relay_unreachable", `could not revoke "${config.name}" on the relay: ${(cause as Error).message}`, {
            hint: "retry when the relay is reachable, or use --force to delete the local config anyway (then revoke it from Telegram)",
            exitCode: ExitCode.unavailable,
          });
        }
      }
      deleteAgentConfig(path);
      process.stdout.write(`Unpaired "${config.name}": revoked on the relay and ${path} deleted.\n`);
    }),
});
