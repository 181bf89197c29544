// Runs at BUNDLE time only (imported `with { type: "macro" }`): bundles the browser app so the
// binary serves it with nothing beside it. Bun.build cannot run inside a macro (the bundler waits
// for the macro), so the bun CLI that runs this macro bundles it in a child process.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type WebAssets = { js: string; sw: string; css: string; icon: string; version: string };

export function bundleWebApp(): WebAssets {
  const dir = join(import.meta.dir, "client");
  const js = bundle(join(dir, "main.ts"));
  const sw = bundle(join(dir, "sw.ts"));
  const css = readFileSync(join(dir, "app.css"), "utf8");
  const icon = readFileSync(join(dir, "icon.svg"), "utf8");
  const version = createHash("sha256").update(js).update(sw).update(css).update(icon).digest("base64url").slice(0, 12);
  return { js, sw, css, icon, version };
}

function bundle(entry: string): string {
  const built = Bun.spawnSync([process.execPath, "build", entry, "--target=browser", "--minify", "--format=esm"], { stdout: "pipe", stderr: "pipe" });
  if (built.exitCode !== 0) throw new Error(`bundling ${entry} for the web app failed:\n${built.stderr.toString()}`);
  return built.stdout.toString();
}
