/** What `ra service install` wrote and changed, so uninstall removes exactly that and status can say when. */
import { existsSync, readFileSync } from "node:fs";
import { z } from "../proto/zod";
import { writeIfChanged } from "./files";

export const ServiceManifest = z.object({
  role: z.enum(["agent", "serve"]),
  scope: z.enum(["user", "system"]),
  kind: z.enum(["systemd", "launchd"]),
  files: z.array(z.string()),
  /** The service's command line (doctor reads --listen from it). */
  argv: z._default(z.array(z.string()), []),
  /** ra turned linger on (so uninstall may turn it off again). */
  lingerEnabledByRa: z.boolean(),
  user: z.string(),
  installedAt: z.string(),
  version: z.string(),
});
export type ServiceManifest = z.infer<typeof ServiceManifest>;

export function readManifest(path: string): ServiceManifest | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = ServiceManifest.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const writeManifest = (path: string, manifest: ServiceManifest) => writeIfChanged(path, `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
