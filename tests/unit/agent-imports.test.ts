/**
 * `ra agent` runs on every laptop and Raspberry Pi, so it must not load what only the relay uses.
 * Two views of the same promise: the agent command's own import graph, and what the split build
 * (scripts/build.ts) actually loads for `ra agent`: the entry chunk, the agent command's chunk,
 * and every chunk they import statically. Chunks behind another dynamic import load only on use.
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { REPO_ROOT } from "../helpers/ra-process";

/** zod's full build (classic): ra uses zod/mini through src/proto/zod.ts, which builds schemas for less. */
const FULL_ZOD = /node_modules\/zod\/(v4\/classic|index\.js)/;
const RELAY_ONLY = [/node_modules\/grammy\//, /node_modules\/@grammyjs\//, /node_modules\/hono\//, /node_modules\/drizzle-orm\//, /node_modules\/jose\//, /(^|\/)src\/qr\//, /(^|\/)src\/relay\//];

type Metafile = {
  inputs: Record<string, unknown>;
  outputs: Record<string, { inputs: Record<string, unknown>; imports: { path: string; kind: string }[]; entryPoint?: string }>;
};

/** Bundles like scripts/build.ts (splitting, min-chunk-size) and returns what went where. */
async function metafile(entry: string, splitting: boolean): Promise<Metafile> {
  const split = splitting ? { splitting, minChunkSize: 16384 } : {};
  const result = await Bun.build({ entrypoints: [resolve(REPO_ROOT, entry)], root: REPO_ROOT, target: "bun", format: "esm", ...split, metafile: true, throw: true });
  return result.metafile as unknown as Metafile;
}

const relayOnly = (inputs: string[]) => inputs.filter((path) => RELAY_ONLY.some((re) => re.test(path)));

/** Inputs of `chunk` and of every chunk it imports statically (import statements and require calls). */
function loadedWith(meta: Metafile, chunk: string, seen = new Set<string>()): string[] {
  if (seen.has(chunk)) return [];
  seen.add(chunk);
  const output = meta.outputs[chunk];
  if (!output) throw new Error(`the build has no chunk ${chunk}`);
  const statics = output.imports.filter((i) => i.kind !== "dynamic-import").map((i) => i.path);
  return [...Object.keys(output.inputs), ...statics.flatMap((path) => loadedWith(meta, path, seen))];
}

describe("what `ra agent` loads", () => {
  test("the agent command's import graph holds nothing relay-only", async () => {
    const inputs = Object.keys((await metafile("src/cmd/agent.ts", false)).inputs);
    expect(inputs).toContain("src/agent/index.ts");
    expect(relayOnly(inputs)).toEqual([]);
  });

  test("in the split build, `ra agent` loads no chunk with relay-only code", async () => {
    const meta = await metafile("src/main.ts", true);
    const chunks = Object.keys(meta.outputs);
    const entry = chunks.find((path) => meta.outputs[path]!.entryPoint === "src/main.ts");
    const agent = chunks.find((path) => "src/cmd/agent.ts" in meta.outputs[path]!.inputs);
    const serve = chunks.find((path) => "src/cmd/serve.ts" in meta.outputs[path]!.inputs);
    if (!entry || !agent || !serve) throw new Error(`the split build has no entry, agent or serve chunk: ${chunks.join(", ")}`);
    // The relay's code is in the build (serve loads it), so an empty list below means something.
    expect(relayOnly(loadedWith(meta, serve)).length).toBeGreaterThan(0);
    const loaded = [...loadedWith(meta, entry), ...loadedWith(meta, agent)];
    expect(loaded).toContain("src/agent/index.ts");
    expect(relayOnly(loaded)).toEqual([]);
  });

  test("`ra agent` loads zod/mini, never zod's full build", async () => {
    const inputs = Object.keys((await metafile("src/cmd/agent.ts", false)).inputs);
    expect(inputs.some((path) => path.includes("node_modules/zod/v4/mini/"))).toBe(true);
    expect(inputs.filter((path) => FULL_ZOD.test(path))).toEqual([]);
  });

  test("no command of the build holds zod's full build (one zod: src/proto/zod.ts)", async () => {
    const inputs = Object.values((await metafile("src/main.ts", true)).outputs).flatMap((output) => Object.keys(output.inputs));
    expect(inputs).toContain("src/relay/index.ts");
    expect(inputs.filter((path) => FULL_ZOD.test(path))).toEqual([]);
  });
});
