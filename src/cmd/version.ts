import { defineCommand } from "citty";
import { buildInfo } from "../build-info";
import { DESCRIPTIONS } from "./descriptions";

export default defineCommand({
  meta: { name: "version", description: DESCRIPTIONS.version },
  run() {
    const info = buildInfo();
    process.stdout.write(`ra ${info.version} (${info.commit}, ${info.target})\n`);
  },
});
