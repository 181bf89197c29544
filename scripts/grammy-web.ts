import type { BunPlugin } from "bun";

/**
 * Bundles grammY's web build (one ESM file on fetch) instead of its Node build, for `grammy` itself
 * and for @grammyjs/runner's require of it. The Node build loads node:http, node:https,
 * node:stream, node:util and node:tty when the relay starts, for keep-alive agents and stream
 * shims Bun's fetch does not need; the web build skips them (the idle relay keeps about 1 MiB less).
 * Only the binary uses it: `bun test` and `bun src/main.ts` keep the Node build, which behaves the same.
 */
export const grammyWeb: BunPlugin = {
  name: "grammy-web",
  setup(build) {
    const web = Bun.resolveSync("grammy/web", import.meta.dir);
    build.onResolve({ filter: /^grammy$/ }, () => ({ path: web }));
  },
};
