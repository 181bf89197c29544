import { defineCommand } from "citty";
import { buildInfo } from "../build-info";

export default defineCommand({
  meta: { name: "version", description: "Print the version, commit and target of this binary" },
  run() {
    const info = buildInfo();
    process.stdout.write(`ra ${info.version} (${info.commit}, ${info.target})\n`);
  },
});
