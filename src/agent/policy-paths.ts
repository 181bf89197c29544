/**
 * Which files a tool call touches, and where they really are: symlinks followed, `..` taken
 * after each symlink the way the kernel does, and a file that does not exist yet judged by its
 * nearest existing parent.
 */
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";

/** Input fields that name a file or folder, whatever the tool (Read, Write, Edit, NotebookEdit, Glob, Grep, LS, …). */
const PATH_FIELDS = ["file_path", "notebook_path", "path"] as const;
const GLOB_CHARS = /[*?[\]{}]/;
const MAX_LINKS = 40;

/** The absolute paths a call names, as written (relative ones are relative to `cwd`). */
export function toolPaths(toolName: string, input: Record<string, unknown>, cwd: string, home = homedir()): string[] {
  const named: string[] = [];
  for (const field of PATH_FIELDS) {
    const value = input[field];
    if (typeof value === "string" && value !== "") named.push(absolute(value, cwd, home));
  }
  // Glob's pattern can carry its own folder ("/etc/**", "../../*"): the part before the first wildcard.
  // (Grep's pattern is a regex, not a path.)
  if (toolName === "Glob" && typeof input.pattern === "string") {
    const base = typeof input.path === "string" && input.path !== "" ? absolute(input.path, cwd, home) : cwd;
    named.push(absolute(globBase(input.pattern), base, home));
  }
  return named;
}

function globBase(pattern: string): string {
  const parts = pattern.split("/");
  const cut = parts.findIndex((part) => GLOB_CHARS.test(part));
  const fixed = cut === -1 ? parts : parts.slice(0, cut);
  const joined = fixed.join("/");
  return joined === "" ? (pattern.startsWith("/") ? "/" : ".") : joined;
}

/** Not normalized: `link/..` must stay for realPath to follow the link first, as the kernel does. */
function absolute(path: string, cwd: string, home: string): string {
  if (path === "~" || path.startsWith("~/")) return `${home}${path.slice(1)}`;
  return isAbsolute(path) ? path : `${cwd}/${path}`;
}

/**
 * Every place a path may end up: taken component by component as the kernel does, and
 * normalized first as a program calling path.resolve() would. Both must pass a check.
 */
export function realPaths(path: string): string[] {
  return [...new Set([realPath(path), realPath(normalize(path))])];
}

/**
 * Where an absolute path really leads. Each component is looked at in turn: a symlink is
 * replaced by its target (so `link/..` leaves from the target, as the kernel would), and once a
 * component does not exist the rest is appended as written.
 */
export function realPath(path: string): string {
  let real = "/";
  const pending = path.split("/").filter(Boolean);
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === ".") continue;
    if (part === "..") {
      real = dirname(real);
      continue;
    }
    const next = join(real, part);
    let stat;
    try {
      stat = lstatSync(next);
    } catch {
      return resolve(next, ...pending);
    }
    if (!stat.isSymbolicLink()) {
      real = next;
      continue;
    }
    if (++links > MAX_LINKS) return resolve(next, ...pending);
    const target = readlinkSync(next);
    if (isAbsolute(target)) real = "/";
    pending.unshift(...target.split("/").filter(Boolean));
  }
  try {
    return realpathSync(real);
  } catch {
    return real;
  }
}

export function isInside(path: string, root: string): boolean {
  if (root === sep) return true;
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function insideRoots(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => isInside(path, root));
}
