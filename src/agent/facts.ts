import { arch, hostname, platform, userInfo } from "node:os";
import type { MachineFacts } from "../proto";
import pkg from "../../package.json" with { type: "json" };

export function machineFacts(): MachineFacts {
  let user = "";
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? "";
  }
  return { hostname: hostname(), os: platform(), arch: arch(), user, agentVersion: pkg.version };
}
