import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { z } from "../proto/zod";
import { ExitCode, RaError } from "../errors";

/** What `ra pair` saves and `ra agent` reads: ~/.config/ra/config.json, mode 0600. */
export const AgentConfig = z.object({
  relay: z.url(),
  deviceId: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  token: z.string().check(z.startsWith("ra_dev_")),
  pairedAt: z.optional(z.string()),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

/** Reads the config, refusing one that other users can read (it holds the device token). */
export function loadAgentConfig(path: string): AgentConfig {
  if (!existsSync(path)) {
    throw new RaError("not_paired", `this machine is not paired (no ${path})`, {
      hint: "run `ra pair --relay https://your-relay.example --name laptop` first",
      exitCode: ExitCode.config,
    });
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new RaError("config_permissions", `${path} is readable by other users (mode ${mode.toString(8).padStart(4, "0")}) and holds this machine's token`, {
      hint: `run: chmod 600 ${path}`,
      exitCode: ExitCode.config,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new RaError("config_invalid", `cannot read ${path}: ${(cause as Error).message}`, {
      hint: "pair again with `ra pair` (it rewrites the file)",
      exitCode: ExitCode.config,
    });
  }
  const parsed = AgentConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RaError("config_invalid", `${path} is not a valid ra config (${issue?.path.join(".")}: ${issue?.message})`, {
      hint: "pair again with `ra pair` (it rewrites the file)",
      exitCode: ExitCode.config,
    });
  }
  return parsed.data;
}

/**
 * Writes atomically with mode 0600 from the start (never world-readable, not even briefly), in a
 * folder only this user can open: ra's own folder (…/ra, like ~/.config/ra) is tightened to 0700
 * when others can read it (`onTighten` hears about it); any other folder is the user's to choose.
 */
export function saveAgentConfig(path: string, config: AgentConfig, onTighten: (message: string) => void = () => {}): void {
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = statSync(dir);
    const mode = stat.mode & 0o777;
    if (mode & 0o077 && basename(dir) === "ra" && stat.uid === process.getuid?.()) {
      chmodSync(dir, 0o700);
      onTighten(`${dir} was readable by others (mode ${mode.toString(8).padStart(4, "0")}); made it 0700 (it holds this machine's token)`);
    }
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (cause) {
    throw new RaError("config_write", `cannot write ${path}: ${(cause as Error).message}`, {
      hint: "check the directory's permissions and free disk space",
      exitCode: ExitCode.ioError,
    });
  }
}

export function deleteAgentConfig(path: string): boolean {
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
