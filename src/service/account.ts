/** Whose service this is: the user and home a service runs as, and the root check for --system. */
import { readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { ExitCode, RaError } from "../errors";
import type { ServiceScope } from "./spec";

export interface Account {
  user: string;
  home: string;
  /** For --system: whom files ra creates in the user's home must belong to. */
  uid?: number;
  gid?: number;
}

type Env = Record<string, string | undefined>;

export function serviceAccount(scope: ServiceScope, env: Env = process.env, uid: number = process.getuid?.() ?? -1, passwd = () => readFileSync("/etc/passwd", "utf8")): Account {
  if (scope === "user") return { user: env.USER || env.LOGNAME || userByUid(uid, passwd) || userInfo().username, home: env.HOME || homedir() };
  if (uid !== 0) {
    throw new RaError("needs_root", "a system service (--system) is installed by root", {
      hint: 'run: sudo env PATH="$PATH" ra service install --system (your PATH, so claude is found), or drop --system for a user service',
      exitCode: ExitCode.usage,
    });
  }
  const user = env.SUDO_USER;
  if (!user || user === "root") {
    throw new RaError("system_user", "a system service runs as the user who installs it, and there is none (not run via sudo)", {
      hint: 'run it as your own user with sudo: sudo env PATH="$PATH" ra service install --system',
      exitCode: ExitCode.usage,
    });
  }
  const fields = passwd().split("\n").find((line) => line.startsWith(`${user}:`))?.split(":") ?? [];
  const home = fields[5];
  if (!home) throw new RaError("system_user", `cannot find ${user}'s home directory in /etc/passwd`, { exitCode: ExitCode.config });
  return { user, home, uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** Bun's os.userInfo() can say "unknown"; /etc/passwd knows. */
function userByUid(uid: number, passwd: () => string): string | undefined {
  try {
    return passwd().split("\n").find((line) => line.split(":")[2] === String(uid))?.split(":")[0];
  } catch {
    return undefined;
  }
}
