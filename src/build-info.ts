import pkg from "../package.json" with { type: "json" };

declare const RA_COMMIT: string | undefined;
declare const RA_TARGET: string | undefined;

/** RA_COMMIT and RA_TARGET are injected by scripts/build.ts with --define. */
export function buildInfo() {
  return {
    version: pkg.version,
    commit: typeof RA_COMMIT === "string" ? RA_COMMIT : "dev",
    target: typeof RA_TARGET === "string" ? RA_TARGET : `${process.platform}-${process.arch} (source)`,
  };
}
