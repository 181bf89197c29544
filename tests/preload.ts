// Runs before every test file: no test may see the developer's real tokens, config or colours.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const home = mkdtempSync(join(tmpdir(), "ra-test-home-"));
process.env.XDG_CONFIG_HOME = join(home, ".config");
process.env.XDG_DATA_HOME = join(home, ".local", "share");
process.env.NO_COLOR = "1";
for (const key of Object.keys(process.env)) {
  if (key.startsWith("RA_") || key === "ANTHROPIC_API_KEY" || key === "CLAUDE_CODE_OAUTH_TOKEN") delete process.env[key];
}
