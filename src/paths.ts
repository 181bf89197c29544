import { homedir } from "node:os";
import { join } from "node:path";

type Env = Record<string, string | undefined>;

/** ~/.config/ra (or $XDG_CONFIG_HOME/ra): the agent's config with its device token. */
export function configDir(env: Env = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "ra");
}

/** ~/.local/share/ra (or $XDG_DATA_HOME/ra): the relay's database and secrets, the agent's outbox. */
export function dataDir(env: Env = process.env): string {
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share"), "ra");
}

export const agentConfigPath = (env: Env = process.env) => join(configDir(env), "config.json");
