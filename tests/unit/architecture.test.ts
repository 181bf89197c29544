// The import direction of src/: proto imports nothing of ours, the relay core imports no surface,
// the agent side never loads relay code, and no module imports itself round a cycle.
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const SRC = join(ROOT, "src");
const transpiler = new Bun.Transpiler({ loader: "ts" });

/** Every module under src/ with the src/ modules it imports (type-only imports included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of new Glob("**/*.ts").scanSync(SRC)) {
    const path = join(SRC, file);
    const source = readFileSync(path, "utf8");
    // scanImports drops `import type`; read those specifiers too so a type cycle counts as a cycle.
    const specifiers = new Set(transpiler.scanImports(source).map((i) => i.path));
    for (const m of source.matchAll(/^\s*(?:import|export)\s+type\s[^;]*?from\s+["']([^"']+)["']/gm)) specifiers.add(m[1]!);
    const targets = [...specifiers].filter((s) => s.startsWith(".")).map((s) => resolveModule(dirname(path), s)).filter((t): t is string => t !== undefined);
    graph.set(rel(path), targets.map(rel));
  }
  return graph;
}

function resolveModule(from: string, specifier: string): string | undefined {
  const base = resolve(from, specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    try {
      if (readFileSync(candidate) && candidate.endsWith(".ts")) return candidate;
    } catch {}
  }
  return undefined;
}

const rel = (path: string) => relative(SRC, path);

/** Strongly connected components with more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const graph = importGraph();
const importsOf = (prefix: string) => [...graph].filter(([file]) => file.startsWith(prefix));

describe("architecture", () => {
  test("the graph was read (sanity: the known entry points are there)", () => {
    expect(graph.get("main.ts")).toBeDefined();
    expect(graph.get("relay/index.ts")!.length).toBeGreaterThan(3);
  });

  test("no import cycle in src/", () => {
    expect(cycles(graph)).toEqual([]);
  });

  test("proto imports nothing of ours outside proto", () => {
    const bad = importsOf("proto/").flatMap(([file, targets]) => targets.filter((t) => !t.startsWith("proto/")).map((t) => `${file} → ${t}`));
    expect(bad).toEqual([]);
  });

  test("the relay core imports no surface, no store implementation and no HTTP/Telegram library", () => {
    const bad = importsOf("relay/core/").flatMap(([file, targets]) =>
      targets.filter((t) => !t.startsWith("relay/core/") && !t.startsWith("relay/store/types") && !t.startsWith("relay/bus/types") && !t.startsWith("proto/") && !["clock.ts", "log.ts", "errors.ts", "relay/secrets.ts"].includes(t)).map((t) => `${file} → ${t}`),
    );
    expect(bad).toEqual([]);
    const libraries = importsOf("relay/core/").filter(([file]) => /from\s+["'](grammy|@grammyjs|hono|drizzle-orm)/.test(readFileSync(join(SRC, file), "utf8")));
    expect(libraries.map(([file]) => file)).toEqual([]);
  });

  test("every file of the relay stays under 250 lines", () => {
    const long = [...new Glob("relay/**/*.ts").scanSync(SRC)]
      .map((file) => ({ file, lines: readFileSync(join(SRC, file), "utf8").split("\n").length }))
      .filter((f) => f.lines >= 250);
    expect(long).toEqual([]);
  });
});
