import { existsSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, resolve, sep } from "node:path";
import { modeWithin, type PermissionMode } from "../proto";

export type MachineLimits = { roots: string[]; maxMode: PermissionMode };

export function checkMode(limits: MachineLimits, mode: PermissionMode): string | null {
  if (modeWithin(mode, limits.maxMode)) return null;
  return `this machine allows at most "${limits.maxMode}" (set on the machine with \`ra agent --max-mode\`${mode === "bypassPermissions" ? " and --allow-bypass" : ""}); "${mode}" was refused`;
}

/**
 * Resolves a requested working directory (relative paths are relative to the first root) and
 * accepts it only inside one of the machine's roots, after following symlinks.
 */
export function resolveCwd(limits: MachineLimits, requested: string | undefined): { cwd: string } | { error: string } {
  const first = limits.roots[0]!;
  if (requested === undefined || requested === "") return { cwd: first };
  if (requested.includes("\0")) return { error: "the folder name contains a NUL byte" };
  const wanted = isAbsolute(requested) ? requested : resolve(first, requested);
  if (!existsSync(wanted)) return { error: `${requested} does not exist on this machine` };
  const real = realpathSync(wanted);
  if (!statSync(real).isDirectory()) return { error: `${requested} is not a folder` };
  if (!insideRoots(limits, real)) return { error: `${requested} is outside the folders this machine allows (${limits.roots.join(", ")}); add it on the machine with \`ra agent --root\`` };
  return { cwd: real };
}

/** Whether a real (symlink-free) path is one of the machine's roots or inside one. */
export const insideRoots = (limits: MachineLimits, real: string) => limits.roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
