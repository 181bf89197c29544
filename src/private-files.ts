import { chmodSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Makes a data folder 0700 and every file directly in it 0600, whatever they were before (prompts,
 * answers, tokens live there). Says what it changed through `changed`, one line a path.
 */
export function keepPrivate(dir: string, names: { dir: string; file: string }, changed: (line: string) => void): void {
  const fix = (path: string, wanted: number, kind: string) => {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) === 0) return;
    chmodSync(path, wanted);
    changed(`${kind} ${path} was readable by others (mode ${octal(mode)}); made it ${octal(wanted)}`);
  };
  fix(dir, 0o700, names.dir);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isFile()) fix(path, 0o600, names.file);
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, "0");
