import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import { loadAgentConfig } from "../agent/config";
import { fetchDeviceStatus } from "../agent/device-status";
import { allowInsecureHttp, relayUrls } from "../agent/relay-url";
import { ExitCode } from "../errors";
import { agentConfigPath } from "../paths";
import { guard } from "./_shared";
import { DESCRIPTIONS } from "./descriptions";

export default defineCommand({
  meta: { name: "status", description: DESCRIPTIONS.status },
  args: {
    config: { type: "string", description: "Config file (env RA_CONFIG, default ~/.config/ra/config.json)", valueHint: "file" },
    "insecure-http": { type: "boolean", description: "Accept a plain http:// relay URL on a public address (env RA_INSECURE_HTTP=1); the token then travels unencrypted" },
  },
  run: ({ args }) =>
    guard(async () => {
      if (args["insecure-http"]) allowInsecureHttp();
      const path = args.config ?? process.env.RA_CONFIG ?? agentConfigPath();
      if (!existsSync(path)) {
        process.stdout.write(`Not paired (no ${path}).\nRun: ra pair --relay https://your-relay.example --name laptop\n`);
        process.exitCode = ExitCode.config;
        return;
      }
      const config = loadAgentConfig(path);
      const urls = relayUrls(config.relay);
      process.stdout.write(`Paired as "${config.name}" (device ${config.deviceId})\nRelay:  ${urls.base}\n`);
      const body = await fetchDeviceStatus(config);
      process.stdout.write(`Status: relay reachable, token accepted, agent ${body.online ? "connected" : "not connected (start it with `ra agent`)"}\n`);
    }),
});
