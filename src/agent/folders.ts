import { realpath, readdir, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { MAX_FOLDER_MATCHES, MAX_FOLDER_PAGE } from "../proto/limits";
import { insideRoots, type MachineLimits } from "./limits";

export type Folder = { name: string; path: string };

/** One page of a folder's subfolders, for the phone's folder picker. */
export type FolderPage = {
  /** The folder listed (real path); null: the machine's roots are listed. */
  path: string | null;
  /** Where "up" goes: a folder, null for the list of roots, absent at the top. */
  up?: string | null;
  folders: Folder[];
  /** Subfolders in all (the page holds `folders.length` of them from `offset`). */
  total: number;
  offset: number;
};

const sortNames = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true, sensitivity: "base" }) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The subfolders of `path` (default: the roots; one root is opened at once), sorted, without
 * hidden ones, a page at a time. A path outside the roots (after following symlinks), a vanished
 * or unreadable folder: an error that says so.
 */
export async function listFolders(limits: MachineLimits, request: { path?: string; offset?: number; limit?: number } = {}): Promise<FolderPage | { error: string }> {
  const offset = Math.max(0, request.offset ?? 0);
  const limit = Math.min(Math.max(1, request.limit ?? MAX_FOLDER_PAGE), MAX_FOLDER_PAGE);
  if (!request.path && limits.roots.length > 1) {
    const roots = limits.roots.map((root) => ({ name: root, path: root }));
    return { path: null, folders: roots.slice(offset, offset + limit), total: roots.length, offset };
  }
  const where = await placeFolder(limits, request.path || limits.roots[0]!);
  if ("error" in where) return where;
  const names = await subfolders(limits, where.path);
  if ("error" in names) return names;
  const isRoot = limits.roots.includes(where.path);
  const up = isRoot ? (limits.roots.length > 1 ? null : undefined) : dirname(where.path);
  return {
    path: where.path,
    ...(up !== undefined ? { up } : {}),
    folders: names.slice(offset, offset + limit).map((name) => ({ name, path: join(where.path, name) })),
    total: names.length,
    offset,
  };
}

/** The real folder a requested path names (relative: to the first root), if it is one inside the roots. */
export async function placeFolder(limits: MachineLimits, requested: string): Promise<{ path: string } | { error: string }> {
  if (requested.includes("\0")) return { error: "the folder name contains a NUL byte" };
  const wanted = isAbsolute(requested) ? requested : resolve(limits.roots[0]!, requested);
  const real = await realpath(wanted).catch(() => undefined);
  if (real === undefined) return { error: `${requested} does not exist on this machine (any more)` };
  const info = await stat(real).catch(() => undefined);
  if (!info?.isDirectory()) return { error: `${requested} is not a folder` };
  if (!insideRoots(limits, real)) return { error: `${requested} is outside the folders this machine allows (${limits.roots.join(", ")}); add it on the machine with \`ra agent --root\`` };
  return { path: real };
}

/** Names of the visible subfolders (symlinks only when they lead to a folder inside the roots), sorted. */
async function subfolders(limits: MachineLimits, path: string): Promise<string[] | { error: string }> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? `${path} no longer exists on this machine` : `cannot read ${path} on this machine (${code ?? (err as Error).message})` };
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory()) names.push(entry.name);
    else if (entry.isSymbolicLink()) {
      const real = await realpath(join(path, entry.name)).catch(() => undefined);
      const info = real === undefined ? undefined : await stat(real).catch(() => undefined);
      if (real !== undefined && info?.isDirectory() && insideRoots(limits, real)) names.push(entry.name);
    }
  }
  return names.sort(sortNames);
}

/** Folders never searched by name: hidden ones and dependency trees. */
const SKIP = new Set(["node_modules"]);

/**
 * `/cd name`: folders under the roots called `name` (case-insensitive), nearest first; when none
 * is called exactly that, those whose name contains it. The search goes `maxDepth` levels down
 * and looks at no more than `maxVisited` folders, so a huge tree cannot stall the machine.
 */
export async function findFolders(limits: MachineLimits, name: string, options: { maxDepth?: number; maxVisited?: number } = {}): Promise<{ matches: string[]; truncated: boolean } | { error: string }> {
  const wanted = name.trim().toLowerCase();
  if (!wanted || wanted.includes("/") || wanted.includes("\0")) return { error: "give a folder name (no slashes), or a path: /cd PATH" };
  const maxDepth = options.maxDepth ?? 4;
  let budget = options.maxVisited ?? 5000;
  const exact: string[] = [];
  const partial: string[] = [];
  let level = [...limits.roots];
  const seen = new Set<string>(level);
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      if (budget-- <= 0) return finish(exact, partial, true);
      const names = await subfolders(limits, dir);
      if ("error" in names) continue;
      for (const child of names) {
        if (SKIP.has(child)) continue;
        const path = await realpath(join(dir, child)).catch(() => undefined);
        if (path === undefined || seen.has(path)) continue;
        seen.add(path);
        const lower = child.toLowerCase();
        if (lower === wanted) exact.push(path);
        else if (lower.includes(wanted)) partial.push(path);
        next.push(path);
      }
    }
    level = next;
  }
  return finish(exact, partial, false);
}

function finish(exact: string[], partial: string[], truncated: boolean) {
  const matches = exact.length > 0 ? exact : partial;
  return { matches: matches.slice(0, MAX_FOLDER_MATCHES), truncated: truncated || matches.length > MAX_FOLDER_MATCHES };
}
