// The folder picker's listing on the machine: subfolders under the roots only, sorted and paged,
// and the search behind `/cd name`.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findFolders, listFolders } from "../../src/agent/folders";
import type { MachineLimits } from "../../src/agent/limits";
import { tmpDir } from "../helpers/tmp";

/** A root with a few projects, a hidden folder, a file, and a folder outside the root. */
function tree(base: string) {
  const root = join(base, "root");
  const outside = join(base, "outside");
  for (const dir of ["api", "web", "Docs", "10-later", "9-sooner", ".git", "api/src", "api/node_modules/web", "web/app/api", "web/app/deep/er/api", "web/app/deep/er/gem", ".git/api"]) mkdirSync(join(root, dir), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, "README.md"), "hi");
  symlinkSync(outside, join(root, "escape"));
  symlinkSync(join(root, "api"), join(root, "api-link"));
  const limits: MachineLimits = { roots: [realpathSync(root)], maxMode: "default" };
  return { root: realpathSync(root), outside: realpathSync(outside), limits };
}

describe("folders for the picker", () => {
  test("one root is opened at once: its visible subfolders, sorted by name (numbers as numbers), links only when they stay inside", async () => {
    await using dir = tmpDir();
    const t = tree(dir.path);
    const page = await listFolders(t.limits);
    expect(page).toEqual({
      path: t.root,
      folders: ["9-sooner", "10-later", "api", "api-link", "Docs", "web"].map((name) => ({ name, path: join(t.root, name) })),
      total: 6,
      offset: 0,
    });
  });

  test("paged with offset and limit; a subfolder says where up is", async () => {
    await using dir = tmpDir();
    const t = tree(dir.path);
    const second = await listFolders(t.limits, { offset: 2, limit: 2 });
    expect(second).toMatchObject({ total: 6, offset: 2, folders: [{ name: "api" }, { name: "api-link" }] });
    const web = await listFolders(t.limits, { path: join(t.root, "web") });
    expect(web).toEqual({ path: join(t.root, "web"), up: t.root, folders: [{ name: "app", path: join(t.root, "web", "app") }], total: 1, offset: 0 });
    // Relative paths are relative to the first root, as /cd PATH is.
    expect(await listFolders(t.limits, { path: "web/app" })).toMatchObject({ path: join(t.root, "web", "app"), up: join(t.root, "web") });
    expect(await listFolders(t.limits, { offset: 100 })).toMatchObject({ folders: [], total: 6 });
  });

  test("several roots: the roots are listed first, and up from a root goes back to them", async () => {
    await using dir = tmpDir();
    const t = tree(dir.path);
    const limits: MachineLimits = { roots: [t.root, t.outside], maxMode: "default" };
    expect(await listFolders(limits)).toEqual({ path: null, folders: [{ name: t.root, path: t.root }, { name: t.outside, path: t.outside }], total: 2, offset: 0 });
    expect(await listFolders(limits, { path: t.outside })).toEqual({ path: t.outside, up: null, folders: [], total: 0, offset: 0 });
  });

  test("outside the roots (directly, by .., or through a symlink), vanished, a file: refused with the reason", async () => {
    await using dir = tmpDir();
    const t = tree(dir.path);
    expect(await listFolders(t.limits, { path: t.outside })).toEqual({ error: expect.stringMatching(/is outside the folders this machine allows .*ra agent --root/) });
    expect(await listFolders(t.limits, { path: "../outside" })).toEqual({ error: expect.stringContaining("is outside the folders") });
    expect(await listFolders(t.limits, { path: join(t.root, "escape") })).toEqual({ error: expect.stringContaining("is outside the folders") });
    expect(await listFolders(t.limits, { path: join(t.root, "gone") })).toEqual({ error: expect.stringContaining("does not exist on this machine") });
    expect(await listFolders(t.limits, { path: join(t.root, "README.md") })).toEqual({ error: expect.stringContaining("is not a folder") });
    expect(await listFolders(t.limits, { path: "a\0b" })).toEqual({ error: expect.stringContaining("NUL") });
  });

  test("an unreadable folder is refused with the reason, the rest still lists", async () => {
    if (process.getuid?.() === 0) {
      // root reads every folder: a folder removed between the check and the listing stands in.
      await using dir = tmpDir();
      const t = tree(dir.path);
      rmSync(join(t.root, "Docs"), { recursive: true });
      expect(await listFolders(t.limits, { path: join(t.root, "Docs") })).toEqual({ error: expect.stringContaining("does not exist") });
      expect(await listFolders(t.limits)).toMatchObject({ total: 5 });
      return;
    }
    await using dir = tmpDir();
    const t = tree(dir.path);
    chmodSync(join(t.root, "Docs"), 0o000);
    try {
      expect(await listFolders(t.limits, { path: join(t.root, "Docs") })).toEqual({ error: expect.stringContaining("cannot read") });
      expect(await listFolders(t.limits)).toMatchObject({ total: 6 });
    } finally {
      chmodSync(join(t.root, "Docs"), 0o755);
    }
  });

  test("by name: exact matches (any case) nearest first, never in node_modules or hidden folders, nor through links leaving the roots", async () => {
    await using dir = tmpDir();
    const t = tree(dir.path);
    mkdirSync(join(t.outside, "api"));
    expect(await findFolders(t.limits, "API")).toEqual({ matches: [join(t.root, "api"), join(t.root, "web", "app", "api")], truncated: false });
    expect(await findFolders(t.limits, "docs")).toEqual({ matches: [join(t.root, "Docs")], truncated: false });
    // Deeper than the search goes (4 levels unless told): not found.
    expect(await findFolders(t.limits, "gem")).toEqual({ matches: [], truncated: false });
    expect(await findFolders(t.limits, "gem", { maxDepth: 5 })).toEqual({ matches: [join(t.root, "web", "app", "deep", "er", "gem")], truncated: false });
  });

  test("by name: no exact match falls back to names containing it; none at all is an empty list; a path is refused", async () => {
    await using dir = tmpDir();
    const t = tree(dir.path);
    expect(await findFolders(t.limits, "soon")).toEqual({ matches: [join(t.root, "9-sooner")], truncated: false });
    expect(await findFolders(t.limits, "nothing-like-it")).toEqual({ matches: [], truncated: false });
    expect(await findFolders(t.limits, "a/b")).toEqual({ error: expect.stringContaining("/cd PATH") });
  });

  test("by name: a bounded search says it stopped early", async () => {
    await using dir = tmpDir();
    const t = tree(dir.path);
    expect(await findFolders(t.limits, "api", { maxVisited: 1 })).toEqual({ matches: [join(t.root, "api")], truncated: true });
  });
});
